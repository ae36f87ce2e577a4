//! Text cleaning for supplier items: one-line fields (names, vendors, codes, category names) get
//! their control characters and whitespace runs folded into single spaces and are trimmed;
//! descriptions keep their HTML and line breaks and only lose control characters. Clean input
//! (the usual case) is copied once, without a second pass.

/// Whether a character is dropped from descriptions: every control character (C0, DEL, C1) except
/// tab, line feed and carriage return.
fn is_dropped_from_description(ch: char) -> bool {
    ch.is_control() && !matches!(ch, '\t' | '\n' | '\r')
}

/// Whether the character starting at `bytes[i]` is a control character (C0, DEL, C1) or
/// whitespace (`char::is_control` / `char::is_whitespace`), read from its UTF-8 bytes so that
/// ASCII and Cyrillic text never needs decoding. `keep_line_breaks` lets tab, LF and CR pass.
fn is_control_or_space_at(bytes: &[u8], i: usize, spaces: bool, keep_line_breaks: bool) -> bool {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes[i] {
        b'\t' | b'\n' | b'\r' => !keep_line_breaks,
        b' ' => spaces,
        0x00..=0x1f | 0x7f => true,
        // U+0080..U+009F (C1), U+00A0 (no-break space), U+0085 among them.
        0xc2 => matches!(at(1), 0x80..=0x9f) || (spaces && at(1) == 0xa0),
        // U+1680
        0xe1 => spaces && at(1) == 0x9a && at(2) == 0x80,
        // U+2000..U+200A, U+2028, U+2029, U+202F, U+205F
        0xe2 => {
            spaces
                && ((at(1) == 0x80 && matches!(at(2), 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf))
                    || (at(1) == 0x81 && at(2) == 0x9f))
        }
        // U+3000
        0xe3 => spaces && at(1) == 0x80 && at(2) == 0x80,
        _ => false,
    }
}

/// `text` without whitespace and control characters at either end. Checks the end bytes first:
/// text that starts and ends with a printable ASCII character or a two-byte letter (Cyrillic,
/// Latin-1 letters; not the `0xC2` block of controls and the no-break space) is returned as is.
pub(crate) fn trim_text(text: &str) -> &str {
    let bytes = text.as_bytes();
    let printable = |b: u8| (0x21..0x7f).contains(&b);
    let two_byte_lead = |b: u8| (0xc3..=0xdf).contains(&b);
    let clean_start = bytes
        .first()
        .is_some_and(|&b| printable(b) || two_byte_lead(b));
    let clean_end = match bytes {
        [.., b] if printable(*b) => true,
        [.., lead, _] => two_byte_lead(*lead),
        _ => false,
    };
    if clean_start && clean_end {
        return text;
    }
    text.trim_matches(|c: char| c.is_whitespace() || c.is_control())
}

/// A one-line field: trimmed, control characters and whitespace runs become one space; `None` when
/// nothing is left.
pub(crate) fn clean_line(raw: &str) -> Option<String> {
    let trimmed = trim_text(raw);
    if trimmed.is_empty() {
        return None;
    }
    if !needs_line_cleaning(trimmed) {
        return Some(trimmed.to_owned());
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    for ch in trimmed.chars() {
        if ch.is_whitespace() || ch.is_control() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    Some(out)
}

/// Whether a trimmed line holds anything [`clean_line`] would change: a control character, a
/// whitespace character other than a space, or two spaces in a row.
fn needs_line_cleaning(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Without a byte that may start a control or space character (C0, DEL, the lead bytes of the
    // multi-byte ones) and without two spaces in a row, nothing needs a closer look.
    let suspicious = bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == 0x7f) | (b == 0xc2) | (b.wrapping_sub(0xe1) < 3)
    });
    let double_space = bytes
        .windows(2)
        .fold(false, |any, w| any | ((w[0] == b' ') & (w[1] == b' ')));
    if !suspicious {
        return double_space;
    }
    (0..bytes.len()).any(|i| {
        let b = bytes[i];
        if b == b' ' {
            return bytes.get(i + 1) == Some(&b' ');
        }
        (b < 0x20 || b == 0x7f || matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3))
            && is_control_or_space_at(bytes, i, true, false)
    })
}

/// Whether a description holds a character [`clean_description`] drops. Scans 32 bytes at a time
/// for a byte that may start one (C0, DEL, the lead byte of C1), then checks that block exactly.
fn needs_description_cleaning(text: &str) -> bool {
    let bytes = text.as_bytes();
    let candidate = |b: u8| b < 0x20 || b == 0x7f || b == 0xc2;
    let exact =
        |from: usize, to: usize| (from..to).any(|i| is_control_or_space_at(bytes, i, false, true));
    let mut start = 0;
    for chunk in bytes.chunks(32) {
        let end = start + chunk.len();
        if chunk.iter().fold(false, |any, &b| any | candidate(b)) && exact(start, end) {
            return true;
        }
        start = end;
    }
    false
}

/// An optional one-line field (see [`clean_line`]).
pub(crate) fn clean_opt_line(raw: Option<&str>) -> Option<String> {
    raw.and_then(clean_line)
}

/// A description: trimmed, HTML and line breaks kept, control characters removed; `None` when
/// nothing is left.
pub(crate) fn clean_description(raw: Option<&str>) -> Option<String> {
    let trimmed = trim_text(raw?);
    if trimmed.is_empty() {
        return None;
    }
    if !needs_description_cleaning(trimmed) {
        return Some(trimmed.to_owned());
    }
    Some(
        trimmed
            .chars()
            .filter(|&c| !is_dropped_from_description(c))
            .collect(),
    )
}

/// A decimal as text: normalized (no trailing zeros), `.` as the separator, never an exponent;
/// the same text as `Decimal`'s `Display` of the normalized value, without the formatter.
pub(crate) fn decimal_text(value: rust_decimal::Decimal) -> String {
    let value = value.normalize();
    let scale = value.scale() as usize;
    let magnitude = value.mantissa().unsigned_abs();
    // 96-bit mantissa: at most 29 digits, plus zeros in front when the scale is larger.
    let mut digits = [b'0'; 64];
    let mut len = 0;
    if let Ok(mut small) = u64::try_from(magnitude) {
        // Prices and measures: 64-bit division, far cheaper than 128-bit.
        while small > 0 {
            digits[len] = b'0' + (small % 10) as u8;
            small /= 10;
            len += 1;
        }
    } else {
        let mut large = magnitude;
        while large > 0 && len < digits.len() {
            digits[len] = b'0' + (large % 10) as u8;
            large /= 10;
            len += 1;
        }
    }
    let len = len.max(scale + 1).min(digits.len());
    let mut out = String::with_capacity(len + 2);
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    for i in (0..len).rev() {
        out.push(char::from(digits[i]));
        if i == scale && scale > 0 {
            out.push('.');
        }
    }
    out
}

/// A supplier's text quoted in a note: at most 80 characters, `…` marking a cut, so that a
/// base64 `data:` picture or a runaway value cannot blow up an import report.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Case-insensitive equality of two short strings (Cyrillic too) without allocating. Texts of
/// different UTF-8 lengths are never equal: true for ASCII and Cyrillic, whose letters keep their
/// length in either case (exotic pairs such as the Kelvin sign and `k` are not matched).
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    let mut left = a.chars().flat_map(char::to_lowercase);
    let mut right = b.chars().flat_map(char::to_lowercase);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_folded() {
        assert_eq!(
            clean_line("  Дрель\n  ударная\t X1 "),
            Some("Дрель ударная X1".to_owned())
        );
        assert_eq!(clean_line("a\u{7}b"), Some("a b".to_owned()));
        assert_eq!(clean_line("\n Cam"), Some("Cam".to_owned()));
        assert_eq!(clean_line(" \t\u{0} "), None);
        assert_eq!(clean_line("plain"), Some("plain".to_owned()));
        assert_eq!(clean_opt_line(None), None);
        assert_eq!(clean_opt_line(Some("  ")), None);
    }

    #[test]
    fn trimming_takes_the_fast_path_only_when_it_may() {
        for raw in [
            "Дрель",
            "a",
            "ё ",
            " x",
            "x\u{a0}",
            "\u{a0}x",
            "x\u{85}",
            "«x»",
            "\u{3000}x\u{2003}",
            "",
            "\u{0}y",
        ] {
            let slow = raw.trim_matches(|c: char| c.is_whitespace() || c.is_control());
            assert_eq!(trim_text(raw), slow, "{raw:?}");
        }
    }

    #[test]
    fn descriptions_keep_html_and_line_breaks() {
        assert_eq!(
            clean_description(Some("  <p>Мощная\r\n\tдрель</p>\u{1}\u{7f}\u{85} ")),
            Some("<p>Мощная\r\n\tдрель</p>".to_owned())
        );
        assert_eq!(
            clean_description(Some("<b>x</b>")),
            Some("<b>x</b>".to_owned())
        );
        assert_eq!(clean_description(Some(" \u{2} ")), None);
        assert_eq!(clean_description(None), None);
    }

    #[test]
    fn every_control_and_space_character_is_found_by_the_byte_scan() {
        for code in 0..=0x3000_u32 {
            let Some(ch) = char::from_u32(code) else {
                continue;
            };
            let text = format!("ab{ch}cd");
            let bytes = text.as_bytes();
            let line = is_control_or_space_at(bytes, 2, true, false);
            assert_eq!(line, ch.is_control() || ch.is_whitespace(), "U+{code:04X}");
            let description = is_control_or_space_at(bytes, 2, false, true);
            assert_eq!(description, is_dropped_from_description(ch), "U+{code:04X}");
            assert_eq!(
                needs_line_cleaning(&text),
                line && ch != ' ',
                "U+{code:04X}"
            );
            let long = format!("{}{ch}", "x".repeat(40));
            assert_eq!(
                needs_description_cleaning(&long),
                description,
                "U+{code:04X}"
            );
        }
        assert!(needs_line_cleaning("a  b"));
        assert!(!needs_line_cleaning("a b «c» — d"));
    }

    #[test]
    fn decimals_print_like_display() {
        let samples = [
            "0",
            "1",
            "-1",
            "1.50",
            "0.005",
            "1500.000",
            "123456789.987654321",
            "-0.10",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
            "100",
        ];
        for raw in samples {
            let value: rust_decimal::Decimal = raw.parse().expect("test value");
            assert_eq!(decimal_text(value), value.normalize().to_string(), "{raw}");
        }
        for n in 0..2000_i64 {
            let value = rust_decimal::Decimal::new(n * 37 - 9000, (n % 7) as u32);
            assert_eq!(
                decimal_text(value),
                value.normalize().to_string(),
                "{value}"
            );
        }
    }

    #[test]
    fn long_texts_are_cut_in_notes() {
        assert_eq!(excerpt("короткий"), "короткий");
        let long = "д".repeat(200);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 81);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn case_insensitive_equality() {
        assert!(eq_ignore_case("Кратность", "кРАТНОСТЬ"));
        assert!(eq_ignore_case("Pack", "PACK"));
        assert!(!eq_ignore_case("Кратность", "Кратность2"));
        assert!(!eq_ignore_case("кг", "г"));
    }
}
