//! Text as the reader keeps it: references resolved (only the five predefined entities and numeric
//! character references — no DTD, so nothing else is ever expanded: an undefined `&name;` stays
//! in the text literally), line ends normalized, checked for characters XML forbids, and numbers
//! parsed strictly (`250.00` is a decimal, `1 234,50` is not).

use std::borrow::Cow;
use std::str::FromStr;

use quick_xml::events::BytesStart;
use rust_decimal::Decimal;

/// Appends what the reference `&name;` stands for (`name` without `&` and `;`).
pub(crate) fn push_reference(out: &mut String, name: &str) {
    match resolve(name) {
        Some(c) => out.push(c),
        None => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// The character a predefined entity or a character reference stands for; `None` for anything
/// else (kept literally), including references to characters XML does not allow.
fn resolve(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| is_xml_char(c))
        }
    }
}

fn is_xml_char(c: char) -> bool {
    !matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}')
}

/// An attribute value with its references resolved (borrowed when it has none).
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', raw.as_bytes()) else {
        return Cow::Borrowed(raw);
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(after) = rest.strip_prefix('&') {
        // A reference runs to the next ';' with no '&' before it; otherwise the '&' is literal.
        match after.find([';', '&']) {
            Some(end) if after.as_bytes()[end] == b';' => {
                push_reference(&mut out, &after[..end]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
        let next = rest.find('&').unwrap_or(rest.len());
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    Cow::Owned(out)
}

/// Calls `f` with each attribute's name and trimmed, reference-resolved value; an attribute that
/// does not parse, or (when `check`) holds a character XML forbids, is an error message.
pub(crate) fn for_each_attribute(
    e: &BytesStart<'_>,
    check: bool,
    mut f: impl FnMut(&str, &str),
) -> Result<(), String> {
    let name = e.name().into_inner();
    for attribute in e.html_attributes().with_checks(false) {
        let attribute =
            attribute.map_err(|error| format!("malformed attributes of <{name}>: {error}"))?;
        let key = attribute.key.into_inner();
        let value = unescape(&attribute.value);
        if let Some(c) = check.then(|| forbidden_char(&value)).flatten() {
            return Err(format!(
                "attribute {key} of <{name}> contains the forbidden character {c:?}"
            ));
        }
        f(key, trim(&value));
    }
    Ok(())
}

/// `text` trimmed, with CR LF and lone CR turned into LF as XML requires.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    let text = trim(text);
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// `text` without leading and trailing whitespace (Unicode's, so a stray no-break space goes
/// too); ASCII ends take the fast path.
pub(crate) fn trim(text: &str) -> &str {
    let text = text.trim_ascii();
    let non_ascii_end = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii());
    if non_ascii_end(text.as_bytes().first()) || non_ascii_end(text.as_bytes().last()) {
        text.trim()
    } else {
        text
    }
}

/// The first character XML 1.0 forbids in `text` (C0 controls other than tab, LF, CR).
pub(crate) fn forbidden_char(text: &str) -> Option<char> {
    // No early exit: a plain fold over the bytes vectorizes; the slow search runs only on a hit.
    let bad = |b: u8| {
        u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n') & u8::from(b != b'\r')
    };
    if text.bytes().fold(0, |seen, b| seen | bad(b)) == 0 {
        return None;
    }
    text.chars().find(|&c| !is_xml_char(c))
}

/// A decimal written with a dot: optional sign, digits, optional fraction. Nothing else (no
/// thousands separators, no comma, no exponent).
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
        return None;
    }
    // Up to 18 digits fit a u64 exactly (prices, weights…); longer ones take the general parser.
    if whole.len() + fraction.len() > 18 {
        return Decimal::from_str(text.strip_prefix('+').unwrap_or(text)).ok();
    }
    let mantissa = whole
        .bytes()
        .chain(fraction.bytes())
        .fold(0_i64, |n, b| n * 10 + i64::from(b - b'0'));
    let scale = u32::try_from(fraction.len()).ok()?;
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale,
    ))
}

/// A whole number; a decimal with a zero fraction (`5.00`) counts as one.
pub(crate) fn parse_whole(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let value = parse_decimal(text)?;
    if !value.fract().is_zero() {
        return None;
    }
    i64::try_from(value).ok()
}

/// `true`/`false` as feeds write them (also `1`/`0`, `yes`/`no`).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "1", "yes"];
    const FALSE: [&str; 3] = ["false", "0", "no"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_predefined_and_numeric_references_resolve() {
        assert_eq!(
            unescape("a &amp; b &lt;p&gt; &#1076;&#x434; &quot;&apos;"),
            "a & b <p> дд \"'"
        );
        assert_eq!(
            unescape("&xxe; &nbsp; &#1; &#xD800; & alone &"),
            "&xxe; &nbsp; &#1; &#xD800; & alone &"
        );
        assert!(matches!(unescape("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(parse_decimal("250.00"), Some(Decimal::new(25000, 2)));
        assert_eq!(parse_decimal("-5"), Some(Decimal::from(-5)));
        assert_eq!(parse_decimal(".5"), Some(Decimal::new(5, 1)));
        assert_eq!(parse_decimal("+1.250"), Some(Decimal::new(1250, 3)));
        assert_eq!(parse_decimal("5."), Some(Decimal::from(5)));
        let long = "123456789012345678901234.5";
        assert_eq!(parse_decimal(long), Decimal::from_str(long).ok());
        assert_eq!(
            parse_decimal("1234567890123456789012345678901234567890"),
            None
        );
        for bad in ["1 234,50", "12,5", "1e5", "", ".", "abc", "1_000", "--1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(parse_whole("5.00"), Some(5));
        assert_eq!(parse_whole("5.5"), None);
    }

    #[test]
    fn clean_trims_and_normalizes_line_ends() {
        assert_eq!(clean("\n  a\r\nb\rc \u{a0}"), "a\nb\nc");
        assert_eq!(forbidden_char("ok\tok\n"), None);
        assert_eq!(forbidden_char("bad\u{1}"), Some('\u{1}'));
    }
}
