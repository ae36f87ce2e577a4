//! Finding the parts of an operation in the document: its request body and the response for a
//! status, through `#/components/requestBodies|responses/...` references, down to the JSON
//! pointer of the media type's schema.

use serde_json::Value;

/// Where the JSON body of an operation part is described.
#[derive(Debug)]
pub(crate) enum Body {
    /// JSON pointer (into the document) of the schema to validate against.
    Schema(String),
    /// A JSON media type without a schema: any JSON fits.
    AnyJson,
    /// No JSON body is documented; the message says what is (nothing, or which content types).
    NotJson { at: String, message: String },
}

/// An operation part that could not be located: a broken or non-local reference.
#[derive(Debug)]
pub(crate) struct Broken(pub(crate) String);

/// The response entry of `responses` chosen for `status`.
#[derive(Debug)]
pub(crate) enum Chosen {
    /// JSON pointer of the response object (references followed).
    Found(String),
    /// The status is not documented; the documented keys.
    Undocumented(Vec<String>),
}

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of the operation object for a path template and lowercase method.
pub(crate) fn operation_pointer(template: &str, method: &str) -> String {
    format!("/paths/{}/{method}", escape(template))
}

/// Follows `$ref`s (local ones, `#/...`) from `pointer` to the object that is no reference.
pub(crate) fn resolve<'d>(doc: &'d Value, pointer: &str) -> Result<(String, &'d Value), Broken> {
    let mut pointer = pointer.to_owned();
    for _ in 0..32 {
        let value = doc
            .pointer(&pointer)
            .ok_or_else(|| Broken(format!("nothing at #{pointer}")))?;
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok((pointer, value));
        };
        let fragment = reference.strip_prefix('#').ok_or_else(|| {
            Broken(format!(
                "#{pointer}: only local references are followed, not {reference}"
            ))
        })?;
        pointer = percent_decode(fragment);
    }
    Err(Broken(format!("#{pointer}: a cycle of references")))
}

/// The request body's JSON schema of the operation at `operation`.
pub(crate) fn request_body(doc: &Value, operation: &str) -> Result<Body, Broken> {
    let body = format!("{operation}/requestBody");
    if doc.pointer(&body).is_none() {
        return Ok(Body::NotJson {
            at: operation.to_owned(),
            message: "the operation documents no request body".to_owned(),
        });
    }
    let (body, value) = resolve(doc, &body)?;
    Ok(json_body(&body, value))
}

/// The response entry for `status`: the exact code, else its range (`4XX`), else `default`.
pub(crate) fn choose_response(doc: &Value, operation: &str, status: u16) -> Result<Chosen, Broken> {
    let responses = format!("{operation}/responses");
    let Some(documented) = doc.pointer(&responses).and_then(Value::as_object) else {
        return Ok(Chosen::Undocumented(Vec::new()));
    };
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    let key = documented
        .keys()
        .find(|key| **key == exact)
        .or_else(|| {
            documented
                .keys()
                .find(|key| key.eq_ignore_ascii_case(&range))
        })
        .or_else(|| documented.keys().find(|key| *key == "default"));
    match key {
        Some(key) => Ok(Chosen::Found(
            resolve(doc, &format!("{responses}/{}", escape(key)))?.0,
        )),
        None => Ok(Chosen::Undocumented(documented.keys().cloned().collect())),
    }
}

/// The JSON body described by a (resolved) request body or response object at `pointer`.
pub(crate) fn json_body(pointer: &str, holder: &Value) -> Body {
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return Body::NotJson {
            at: pointer.to_owned(),
            message: "no body is documented".to_owned(),
        };
    };
    let Some((media, described)) = content.iter().find(|(media, _)| is_json(media)) else {
        let types: Vec<&str> = content.keys().map(String::as_str).collect();
        return Body::NotJson {
            at: pointer.to_owned(),
            message: format!("no JSON body is documented, only {}", types.join(", ")),
        };
    };
    match described.get("schema") {
        // a bare local reference (Draft 7 ignores the siblings of `$ref`): validate against its
        // target, so the operations sharing a component share its compiled validator
        Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) if reference.starts_with("#/") => {
                Body::Schema(percent_decode(&reference[1..]))
            }
            _ => Body::Schema(format!("{pointer}/content/{}/schema", escape(media))),
        },
        None => Body::AnyJson,
    }
}

/// The content types of a (resolved) request body or response object.
pub(crate) fn content_types(holder: &Value) -> Vec<String> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default()
}

/// `application/json`, `application/problem+json`, with or without parameters.
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

/// Decodes `%XX` escapes of a URI fragment (invalid escapes are kept as written).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
