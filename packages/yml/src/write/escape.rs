//! The byte-level pieces of the writer: XML escaping of element text and attribute values, and
//! CDATA sections. Everything appends to the writer's buffer; characters XML 1.0 forbids are
//! dropped here and nowhere else.
//!
//! Rules, one table for all of them:
//! - `& < > " '` become `&amp; &lt; &gt; &quot; &apos;` in text and attributes alike (Yandex asks
//!   for all five);
//! - control characters 0x00–0x1F other than tab, LF and CR, and the non-characters U+FFFE and
//!   U+FFFF, are removed (never written);
//! - line breaks are written as LF: CRLF and a lone CR become LF everywhere, CDATA included (what
//!   an XML parser reads from a raw CR anyway, so every reader sees the same text);
//! - in attributes tab and LF are written as `&#9;` / `&#10;` (attribute-value normalization would
//!   turn them into spaces); in text and CDATA they stay as they are.

/// What to do with one byte: copy it, drop it, replace it, or look further (0xEF may start the
/// UTF-8 of U+FFFE / U+FFFF).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Copy,
    Drop,
    Amp,
    Lt,
    Gt,
    Quot,
    Apos,
    Tab,
    Lf,
    Cr,
    MaybeNonChar,
}

const fn classes() -> [Class; 256] {
    let mut table = [Class::Copy; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = Class::Drop;
        b += 1;
    }
    table[b'\t' as usize] = Class::Tab;
    table[b'\n' as usize] = Class::Lf;
    table[b'\r' as usize] = Class::Cr;
    table[b'&' as usize] = Class::Amp;
    table[b'<' as usize] = Class::Lt;
    table[b'>' as usize] = Class::Gt;
    table[b'"' as usize] = Class::Quot;
    table[b'\'' as usize] = Class::Apos;
    table[0xEF] = Class::MaybeNonChar;
    table
}

static CLASSES: [Class; 256] = classes();

/// Bytes the escaping loops must look at (everything else is copied in runs): one table per
/// context, so the common case is a scan of eight bytes at a time.
const fn special(context: Context) -> [bool; 256] {
    let classes = classes();
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match classes[b] {
            Class::Copy => false,
            Class::Tab | Class::Lf => matches!(context, Context::Attribute),
            _ => true,
        };
        b += 1;
    }
    table
}

static TEXT_SPECIAL: [bool; 256] = special(Context::Text);
static ATTRIBUTE_SPECIAL: [bool; 256] = special(Context::Attribute);

const fn cdata_special() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'\t' as usize] = false;
    table[b'\n' as usize] = false;
    table[b']' as usize] = true;
    table[0xEF] = true;
    table
}

static CDATA_SPECIAL: [bool; 256] = cdata_special();

/// The index of the first byte at or after `i` that `special` marks, or `bytes.len()`.
#[inline]
fn skip_plain(bytes: &[u8], mut i: usize, special: &[bool; 256]) -> usize {
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let any = chunk
            .iter()
            .fold(false, |any, &b| any | special[usize::from(b)]);
        if any {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !special[usize::from(bytes[i])] {
        i += 1;
    }
    i
}

/// Where the escaped text goes: element content or an attribute value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

/// `true` when `bytes[i..]` starts with the UTF-8 of U+FFFE or U+FFFF (EF BF BE / EF BF BF).
fn is_non_char(bytes: &[u8], i: usize) -> bool {
    matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF]))
}

fn escape(buf: &mut Vec<u8>, s: &str, context: Context) {
    let bytes = s.as_bytes();
    let special = match context {
        Context::Text => &TEXT_SPECIAL,
        Context::Attribute => &ATTRIBUTE_SPECIAL,
    };
    let mut start = 0;
    let mut i = 0;
    loop {
        i = skip_plain(bytes, i, special);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let class = CLASSES[usize::from(b)];
        let (replacement, width): (&[u8], usize) = match class {
            Class::Drop => (b"", 1),
            Class::Amp => (b"&amp;", 1),
            Class::Lt => (b"&lt;", 1),
            Class::Gt => (b"&gt;", 1),
            Class::Quot => (b"&quot;", 1),
            Class::Apos => (b"&apos;", 1),
            Class::Cr if bytes.get(i + 1) == Some(&b'\n') => (b"", 1),
            Class::Cr if context == Context::Attribute => (b"&#10;", 1),
            Class::Cr => (b"\n", 1),
            Class::Tab if context == Context::Attribute => (b"&#9;", 1),
            Class::Lf if context == Context::Attribute => (b"&#10;", 1),
            Class::MaybeNonChar if is_non_char(bytes, i) => (b"", 3),
            Class::Copy | Class::Tab | Class::Lf | Class::MaybeNonChar => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(replacement);
        i += width;
        start = i;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Appends `s` escaped for element content.
pub(crate) fn text(buf: &mut Vec<u8>, s: &str) {
    escape(buf, s, Context::Text);
}

/// Appends `s` escaped for a `"`-quoted attribute value.
pub(crate) fn attribute(buf: &mut Vec<u8>, s: &str) {
    escape(buf, s, Context::Attribute);
}

/// Appends `s` as one CDATA section (several when `s` contains `]]>`: the `]]` ends one section
/// and the `>` starts the next, so the text reads back unchanged). Forbidden characters are
/// dropped; tab and LF are kept as they are, CRLF and CR become LF.
pub(crate) fn cdata(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(b"<![CDATA[");
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        i = skip_plain(bytes, i, &CDATA_SPECIAL);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        if b == b']' && bytes.get(i + 1..i + 3) == Some(b"]>") {
            // "]]" stays in this section, ">" opens the next one.
            buf.extend_from_slice(&bytes[start..i + 2]);
            buf.extend_from_slice(b"]]><![CDATA[");
            i += 2;
            start = i;
            continue;
        }
        let (replacement, width): (&[u8], usize) = match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => (b"", 1),
            b'\r' => (b"\n", 1),
            0..0x20 => (b"", 1),
            0xEF if is_non_char(bytes, i) => (b"", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(replacement);
        i += width;
        start = i;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.extend_from_slice(b"]]>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(f: fn(&mut Vec<u8>, &str), s: &str) -> String {
        let mut buf = Vec::new();
        f(&mut buf, s);
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn text_escapes_the_five_and_keeps_the_rest() {
        assert_eq!(
            escaped(text, "a&b<c>d\"e'f Ёж"),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f Ёж"
        );
        assert_eq!(escaped(text, "plain"), "plain");
        assert_eq!(escaped(text, ""), "");
    }

    #[test]
    fn control_characters_and_non_characters_are_dropped() {
        assert_eq!(escaped(text, "a\u{0}b\u{1}c\u{1f}d\u{b}e"), "abcde");
        assert_eq!(escaped(text, "x\u{fffe}y\u{ffff}z\u{fffd}"), "xyz\u{fffd}");
        // Other characters whose UTF-8 starts with 0xEF pass.
        assert_eq!(escaped(text, "\u{f000}\u{ff01}"), "\u{f000}\u{ff01}");
        assert_eq!(escaped(cdata, "a\u{0}b\u{fffe}c"), "<![CDATA[abc]]>");
    }

    #[test]
    fn whitespace_survives_parsing() {
        assert_eq!(escaped(text, "a\tb\nc\rd\r\ne\r"), "a\tb\nc\nd\ne\n");
        assert_eq!(
            escaped(attribute, "a\tb\nc\rd\r\ne"),
            "a&#9;b&#10;c&#10;d&#10;e"
        );
        assert_eq!(escaped(cdata, "a\tb\r\nc\rd\r"), "<![CDATA[a\tb\nc\nd\n]]>");
    }

    #[test]
    fn cdata_splits_its_terminator() {
        assert_eq!(escaped(cdata, "<p>x</p>"), "<![CDATA[<p>x</p>]]>");
        assert_eq!(escaped(cdata, "a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(
            escaped(cdata, "]]>]]>"),
            "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>"
        );
        assert_eq!(escaped(cdata, "a]]b]>c]"), "<![CDATA[a]]b]>c]]]>");
    }

    #[test]
    fn the_scan_finds_the_first_flagged_byte_anywhere() {
        let naive = |bytes: &[u8], from: usize, flag: &dyn Fn(u8) -> bool| {
            (from..bytes.len())
                .find(|&i| flag(bytes[i]))
                .unwrap_or(bytes.len())
        };
        let markup =
            |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') || b"&<>\"'".contains(&b) || b == 0xEF;
        let in_cdata = |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') || b == b']' || b == 0xEF;
        // Every length up to 20 (whole chunks and tails), every position, each interesting byte.
        let interesting = [
            0u8, 0x1F, b'\t', b'&', b'"', b'\'', b'<', b'>', b']', 0xEF, 0x20, 0x21, 0x7F, 0x80,
            0xFF,
        ];
        for len in 0..20 {
            for at in 0..len {
                for &b in &interesting {
                    for &before in &[b'a', 0u8, 0x1F] {
                        let mut bytes = vec![b'x'; len];
                        bytes[at] = b;
                        if at > 0 {
                            bytes[at - 1] = before;
                        }
                        for from in 0..=len {
                            assert_eq!(
                                skip_plain(&bytes, from, &TEXT_SPECIAL),
                                naive(&bytes, from, &markup),
                                "{bytes:?} from {from}"
                            );
                            assert_eq!(
                                skip_plain(&bytes, from, &CDATA_SPECIAL),
                                naive(&bytes, from, &in_cdata),
                                "{bytes:?} from {from}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn long_texts_cross_the_eight_byte_chunks() {
        let plain = "Длинный текст без спецсимволов, abcdefgh ".repeat(5);
        let mixed = format!("{plain}&{plain}<x>\u{1}{plain}\u{fffe}]]>");
        assert_eq!(
            escaped(text, &mixed),
            format!("{plain}&amp;{plain}&lt;x&gt;{plain}]]&gt;")
        );
        assert_eq!(
            escaped(cdata, &mixed),
            format!("<![CDATA[{plain}&{plain}<x>{plain}]]]]><![CDATA[>]]>")
        );
    }
}
