//! A small multipart/form-data reader for the loopback: enough to check the parts a deployment
//! sends (names, file names, contents) without trusting the client's own encoder.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The parts of `body`, or why it is not multipart/form-data.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let (mime, params) = content_type.split_once(';').ok_or("no boundary")?;
    if mime.trim() != "multipart/form-data" {
        return Err(format!("content type {mime}"));
    }
    let boundary = params
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .ok_or("no boundary parameter")?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut chunks = split(body, &delimiter).into_iter();
    chunks.next(); // the preamble
    for chunk in chunks {
        if chunk.starts_with(b"--") {
            return Ok(parts); // the closing delimiter
        }
        let chunk = chunk.strip_prefix(b"\r\n").ok_or("part without CRLF")?;
        let chunk = chunk
            .strip_suffix(b"\r\n")
            .ok_or("part not ended by CRLF")?;
        let split_at = find(chunk, b"\r\n\r\n").ok_or("part without header end")?;
        let head = String::from_utf8_lossy(&chunk[..split_at]).into_owned();
        let data = chunk[split_at + 4..].to_vec();
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data,
        };
        for line in head.split("\r\n") {
            let (header, value) = line.split_once(':').ok_or("bad part header")?;
            match header.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for param in value.split(';').skip(1) {
                        if let Some((k, v)) = param.trim().split_once('=') {
                            let v = v.trim_matches('"').to_owned();
                            match k {
                                "name" => part.name = v,
                                "filename" => part.file_name = Some(v),
                                _ => {}
                            }
                        }
                    }
                }
                "content-type" => part.content_type = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        parts.push(part);
    }
    Err("no closing delimiter".into())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(body, delimiter) {
        out.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    out.push(body);
    out
}
