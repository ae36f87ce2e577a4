//! The live diagram page at `/processes/{businessKey}`: the bpmn-js viewer bundled at build time
//! from `web/process-viewer` (no CDN), talking to this adapter's `/ws`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::key::BusinessKey;

const TEMPLATE: &str = include_str!("../../../web/process-viewer/page.html");
const SCRIPT: &str = include_str!("../../../web/process-viewer/dist/process-viewer.js");
const STYLE: &str = include_str!("../../../web/process-viewer/dist/process-viewer.css");

/// The asset version in URLs: changes whenever the bundle does, so browsers never mix versions.
fn version() -> String {
    let digest = xxhash_rust::xxh3::xxh3_64(SCRIPT.as_bytes())
        ^ xxhash_rust::xxh3::xxh3_64(STYLE.as_bytes());
    format!("{digest:016x}")
}

/// `GET /processes/{businessKey}`.
pub(crate) async fn page(Path(raw): Path<String>) -> Response {
    match BusinessKey::parse(&raw) {
        Ok(key) => Html(render(&key)).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

fn render(key: &BusinessKey) -> String {
    TEMPLATE
        .replace("{{businessKey}}", &escape(key.as_str()))
        .replace("{{version}}", &version())
}

/// `GET /assets/process-viewer.js`.
pub(crate) async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /assets/process-viewer.css`.
pub(crate) async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}

/// HTML-escapes text for element content and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_escaped_key_and_versioned_assets() {
        let html = render(&BusinessKey::parse(r#"o<1>"&'"#).expect("valid in this test"));
        assert!(
            html.contains(r#"data-business-key="o&lt;1&gt;&quot;&amp;&#39;""#),
            "{html}"
        );
        assert!(html.contains(&format!("process-viewer.js?v={}", version())));
        assert!(!html.contains("{{"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
