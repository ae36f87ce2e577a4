//! Numbers as the writer writes them: decimals with a `.` separator, trailing zeros removed and
//! never an exponent, integers; formatted by hand into the writer's buffer (no float anywhere, no
//! `fmt` machinery on the hot path).

use rust_decimal::Decimal;

/// Appends a decimal with a `.` separator, trailing zeros removed, never an exponent
/// (`250.00` → `250`, `-0` → `0`). Formatted by hand: rust_decimal's `Display` plus `normalize`
/// was a seventh of the writer's time.
pub(crate) fn decimal(buf: &mut Vec<u8>, value: Decimal) {
    let mantissa = value.mantissa();
    let mut scale = value.scale() as usize;
    let mut magnitude = mantissa.unsigned_abs();
    // u64 arithmetic while it fits (every price does): 128-bit division is a library call.
    if let Ok(mut small) = u64::try_from(magnitude) {
        while scale > 0 && small != 0 && small.is_multiple_of(10) {
            small /= 10;
            scale -= 1;
        }
        magnitude = u128::from(small);
    } else {
        while scale > 0 && magnitude.is_multiple_of(10) {
            magnitude /= 10;
            scale -= 1;
        }
    }
    if magnitude == 0 {
        buf.push(b'0');
        return;
    }
    if mantissa < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 40];
    let digits = unsigned_digits(magnitude, &mut digits);
    if scale == 0 {
        buf.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        buf.extend_from_slice(whole);
        buf.push(b'.');
        buf.extend_from_slice(fraction);
    } else {
        buf.extend_from_slice(b"0.");
        buf.resize(buf.len() + scale - digits.len(), b'0');
        buf.extend_from_slice(digits);
    }
}

/// Appends an integer.
pub(crate) fn integer(buf: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 40];
    buf.extend_from_slice(unsigned_digits(
        u128::from(value.unsigned_abs()),
        &mut digits,
    ));
}

/// The decimal digits of `value` (at least one), written at the end of `out`.
fn unsigned_digits(value: u128, out: &mut [u8; 40]) -> &[u8] {
    let mut pos = out.len();
    let mut wide = value;
    while wide > u128::from(u64::MAX) {
        pos -= 1;
        out[pos] = b'0' + (wide % 10) as u8;
        wide /= 10;
    }
    let mut narrow = wide as u64;
    loop {
        pos -= 1;
        out[pos] = b'0' + (narrow % 10) as u8;
        narrow /= 10;
        if narrow == 0 {
            break;
        }
    }
    &out[pos..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_and_normalized() {
        let cases = [
            (Decimal::new(25000, 2), "250"),
            (Decimal::new(19990, 2), "199.9"),
            (Decimal::new(-0, 3), "0"),
            (Decimal::new(1, 28), "0.0000000000000000000000000001"),
            (Decimal::MAX, "79228162514264337593543950335"),
            (Decimal::new(-12345, 1), "-1234.5"),
            (Decimal::new(5, 3), "0.005"),
            (Decimal::new(1_000_000, 0), "1000000"),
            (Decimal::MIN, "-79228162514264337593543950335"),
        ];
        for (value, expected) in cases {
            let mut buf = Vec::new();
            decimal(&mut buf, value);
            assert_eq!(String::from_utf8(buf).unwrap_or_default(), expected);
            // The same value as rust_decimal prints it, once normalized.
            assert_eq!(value.normalize().to_string(), expected);
        }
    }

    #[test]
    fn integers_cover_the_whole_range() {
        for value in [0, 7, 10, -1, 1_234_567, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            integer(&mut buf, value);
            assert_eq!(
                String::from_utf8(buf).unwrap_or_default(),
                value.to_string()
            );
        }
    }
}
