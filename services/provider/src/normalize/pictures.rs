//! Picture URLs: made absolute, limited to http(s), written in one canonical form (the WHATWG URL
//! serialization: IDN hosts in punycode, spaces and Cyrillic in paths percent-encoded, percent
//! escapes in upper case, no fragment) so that de-duplication compares like with like.
//!
//! Most feeds send plain ASCII URLs that are already canonical; those are checked by a byte scan
//! and copied, and only the rest goes through the `url` parser.

use std::collections::HashSet;

use url::Url;

use super::Note;
use super::text::excerpt;

/// Why a relative picture without a base is dropped.
const NO_BASE: &str =
    "relative, and there is no base url (settings.picture_base_url or the shop url)";

/// Resolves and checks the pictures of offers against one base URL.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pictures {
    base: Option<Url>,
}

/// Parses a base URL for relative pictures; a host without a scheme gets `https://`, and its path
/// is taken as a directory (a trailing `/` is added).
fn parse_base(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    let with_scheme = if has_scheme(raw) {
        raw.to_owned()
    } else {
        format!("https://{}", raw.trim_start_matches('/'))
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| format!("{raw:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{raw:?} is not an http(s) URL"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Whether a URL starts with a scheme (`name:` before any `/`, `?` or `#`).
fn has_scheme(raw: &str) -> bool {
    let Some(colon) = raw.find(':') else {
        return false;
    };
    let scheme = &raw[..colon];
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Whether an absolute URL is already in canonical form, in one pass over its bytes: lower-case
/// `http(s)://`, a lower-case ASCII host name (labels of letters, digits and inner `-`, the last
/// one not all digits, no punycode to verify, no port), then a path (and query) of characters the
/// serializer leaves alone, percent escapes in upper case, no dot segments and no fragment.
fn is_canonical_ascii(raw: &str) -> bool {
    let Some(rest) = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
    else {
        return false;
    };
    let bytes = rest.as_bytes();
    let (mut i, mut label_len, mut label_has_letter) = (0, 0, false);
    loop {
        match bytes.get(i) {
            Some(b'a'..=b'z') => label_has_letter = true,
            Some(b'0'..=b'9') => {}
            Some(b'-') if label_len > 0 => {}
            Some(b'.') if label_len > 0 => {
                label_len = 0;
                label_has_letter = false;
                i += 1;
                continue;
            }
            Some(b'/') if label_len > 0 && label_has_letter => break,
            _ => return false,
        }
        label_len += 1;
        i += 1;
    }
    if rest[..i].contains("xn--") {
        return false;
    }
    i += 1;
    let (mut segment_start, mut in_query) = (i, false);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'/' | b'?' if !in_query => {
                if matches!(&rest[segment_start..i], "." | "..") {
                    return false;
                }
                segment_start = i + 1;
                in_query = b == b'?';
            }
            b'%' => {
                let hex = |k: usize| {
                    bytes
                        .get(i + k)
                        .is_some_and(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
                };
                if !hex(1) || !hex(2) || (!in_query && bytes[i + 1] == b'2' && bytes[i + 2] == b'E')
                {
                    return false;
                }
            }
            b if b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?".contains(&b) => {}
            _ => return false,
        }
        i += 1;
    }
    in_query || !matches!(&rest[segment_start..], "." | "..")
}

/// Upper-cases the hex digits of percent escapes (`%d0%ba` → `%D0%BA`).
fn upper_percent_escapes(url: String) -> String {
    let bytes = url.as_bytes();
    let lower_escape = |i: usize| {
        bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            && (bytes[i + 1].is_ascii_lowercase() || bytes[i + 2].is_ascii_lowercase())
    };
    if !(0..bytes.len()).any(lower_escape) {
        return url;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            out.extend_from_slice(&[
                b'%',
                bytes[i + 1].to_ascii_uppercase(),
                bytes[i + 2].to_ascii_uppercase(),
            ]);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    // Only ASCII hex digits changed case, so the bytes are still the same valid UTF-8.
    String::from_utf8(out).unwrap_or(url)
}

impl Pictures {
    /// The base for relative pictures: `picture_base_url` from the settings, else the shop url.
    pub(crate) fn new(
        picture_base_url: Option<&str>,
        shop_url: Option<&str>,
        notes: &mut Vec<Note>,
    ) -> Self {
        let mut base = None;
        for (source, raw) in [
            ("settings.picture_base_url", picture_base_url),
            ("the shop url", shop_url),
        ] {
            let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
                continue;
            };
            match parse_base(raw) {
                Ok(url) => {
                    base = Some(url);
                    break;
                }
                Err(e) => notes.push(Note::new(
                    "pictures",
                    format!("{source} cannot be a picture base: {e}"),
                )),
            }
        }
        Self { base }
    }

    /// One picture in canonical form, or why it is dropped.
    pub(crate) fn canonical(&self, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if is_canonical_ascii(raw) {
            return Ok(raw.to_owned());
        }
        let parsed = if let Some(rest) = raw.strip_prefix("//") {
            Url::parse(&format!("https://{rest}"))
        } else if has_scheme(raw) {
            Url::parse(raw)
        } else if raw.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
            Url::parse(&format!("https://{raw}"))
        } else {
            let Some(base) = &self.base else {
                return Err(NO_BASE.to_owned());
            };
            base.join(raw)
        };
        let mut url = parsed.map_err(|e| format!("not a valid URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("scheme {} is not http(s)", url.scheme()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("has no host".to_owned());
        }
        url.set_fragment(None);
        Ok(upper_percent_escapes(url.into()))
    }

    /// The offer's pictures: canonical, de-duplicated in order; bad ones dropped with a note.
    pub(crate) fn normalize(&self, raw: &[String], notes: &mut Vec<Note>) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(raw.len());
        let mut seen: Option<HashSet<String>> = (raw.len() > 16).then(HashSet::new);
        for picture in raw {
            if picture.trim().is_empty() {
                continue;
            }
            match self.canonical(picture) {
                Ok(url) => {
                    let fresh = match &mut seen {
                        Some(seen) => seen.insert(url.clone()),
                        None => !out.contains(&url),
                    };
                    if fresh {
                        out.push(url);
                    }
                }
                Err(why) => notes.push(Note::new(
                    "pictures",
                    format!("picture {:?}: {why}: dropped", excerpt(picture.trim())),
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pictures(base: Option<&str>, shop: Option<&str>) -> Pictures {
        let mut notes = Vec::new();
        let pictures = Pictures::new(base, shop, &mut notes);
        assert!(notes.is_empty(), "{notes:?}");
        pictures
    }

    fn slow(raw: &str) -> String {
        let mut url = Url::parse(raw).expect("test value");
        url.set_fragment(None);
        upper_percent_escapes(url.into())
    }

    #[test]
    fn the_fast_path_agrees_with_the_parser() {
        let canonical = [
            "https://d2j6dbq0eux0bg.cloudfront.net/images/40599014/2701782375.jpg",
            "http://shop.ru/a/b.webp?w=800&h=600",
            "https://cdn.example.com/%D0%BA%D0%BE%D1%82.jpg",
            "https://a-b.example.com/x(1)+y,z;=:@!$*~.png",
            "https://shop.ru/a/b..c/.d/?q=./../%2E",
            "https://shop.ru/",
        ];
        for raw in canonical {
            assert!(is_canonical_ascii(raw), "{raw}");
            assert_eq!(
                pictures(None, None).canonical(raw).expect("test value"),
                slow(raw),
                "{raw}"
            );
        }
        let not_canonical = [
            "HTTPS://Shop.RU/a.jpg",
            "https://shop.ru",
            "https://shop.ru:443/a.jpg",
            "https://shop.ru/a/../b.jpg",
            "https://shop.ru/a b.jpg",
            "https://xn--80aaa.xn--p1ai/a.jpg",
            "https://1.2.3.4/a.jpg",
            "https://shop.ru/a.jpg#top",
            "https://shop.ru/a\\b.jpg",
            "https://shop.ru/a/%2E%2E/b.jpg",
            "https://shop.ru/a/%2e/b.jpg",
            "https://cdn.example.com/%d0%ba.jpg",
            "https://shop.ru/a/..",
            "https://shop.ru/a/.?x=1",
            "https://-a.ru/1.jpg",
            "https://a..ru/1.jpg",
            "https://shop.123/1.jpg",
            "https://shop.ru/фото.jpg",
        ];
        for raw in not_canonical {
            assert!(!is_canonical_ascii(raw), "{raw}");
        }
    }

    #[test]
    fn urls_get_one_canonical_form() {
        let p = pictures(None, None);
        let ok = |raw: &str| p.canonical(raw).expect("test value");
        assert_eq!(ok("  https://shop.ru/a.jpg \n"), "https://shop.ru/a.jpg");
        assert_eq!(ok("HTTPS://Shop.RU:443/a.jpg#x"), "https://shop.ru/a.jpg");
        assert_eq!(ok("//cdn.shop.ru/a.jpg"), "https://cdn.shop.ru/a.jpg");
        assert_eq!(ok("www.shop.ru/a.jpg"), "https://www.shop.ru/a.jpg");
        assert_eq!(ok("https://shop.ru/a b.jpg"), "https://shop.ru/a%20b.jpg");
        // Cyrillic raw and percent-encoded in either case come out the same.
        let cyrillic = ok("https://shop.ru/фото/кот.jpg");
        assert_eq!(
            cyrillic,
            "https://shop.ru/%D1%84%D0%BE%D1%82%D0%BE/%D0%BA%D0%BE%D1%82.jpg"
        );
        assert_eq!(
            ok("https://shop.ru/%d1%84%d0%be%d1%82%d0%be/%D0%BA%D0%BE%D1%82.jpg"),
            cyrillic
        );
        // An IDN host in punycode, whether sent in Unicode or already encoded.
        let idn = ok("https://карсаман.рф/img/1.webp");
        assert!(idn.starts_with("https://xn--"), "{idn}");
        assert!(idn.ends_with(".xn--p1ai/img/1.webp"), "{idn}");
        assert_eq!(ok(&idn), idn);
    }

    #[test]
    fn relative_urls_use_the_settings_base_then_the_shop_url() {
        let p = pictures(Some("https://cdn.shop.ru/img"), Some("https://shop.ru"));
        assert_eq!(
            p.canonical("a/1.jpg").expect("test value"),
            "https://cdn.shop.ru/img/a/1.jpg"
        );
        assert_eq!(
            p.canonical("/root.jpg").expect("test value"),
            "https://cdn.shop.ru/root.jpg"
        );
        let p = pictures(None, Some("shop.ru"));
        assert_eq!(
            p.canonical("images/1.jpg").expect("test value"),
            "https://shop.ru/images/1.jpg"
        );
        let p = pictures(None, None);
        assert!(p.canonical("images/1.jpg").is_err());
        let mut notes = Vec::new();
        let p = Pictures::new(Some("ftp://x.ru"), Some("https://shop.ru/"), &mut notes);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(
            p.canonical("1.jpg").expect("test value"),
            "https://shop.ru/1.jpg"
        );
    }

    #[test]
    fn bad_ones_are_dropped_with_notes_and_duplicates_removed() {
        let p = pictures(None, None);
        let raw: Vec<String> = [
            "https://shop.ru/1.jpg",
            "ftp://shop.ru/2.jpg",
            "HTTPS://SHOP.RU/1.jpg",
            "javascript:alert(1)",
            "https://shop.ru/2.jpg",
            "images/3.jpg",
            "http://",
            "https://sh op.ru/4.jpg",
            " ",
            "https://shop.ru/1.jpg#zoom",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut notes = Vec::new();
        assert_eq!(
            p.normalize(&raw, &mut notes),
            ["https://shop.ru/1.jpg", "https://shop.ru/2.jpg"]
        );
        assert_eq!(notes.len(), 5, "{notes:?}");
        assert!(notes.iter().all(|n| n.field == "pictures"));
        // Many pictures: the same through the hash set.
        let many: Vec<String> = (0..40)
            .map(|i| format!("https://shop.ru/{}.jpg", i % 20))
            .collect();
        assert_eq!(p.normalize(&many, &mut notes).len(), 20);
    }
}
