//! Matching a concrete request path against the document's path templates.

use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`, or a segment mixing literal text and parameters (`{id}.pdf`): `prefix` and
    /// `suffix` are the literal text around the parameters.
    Param {
        prefix: String,
        suffix: String,
    },
}

impl Segment {
    fn parse(text: &str) -> Self {
        match (text.find('{'), text.rfind('}')) {
            (Some(open), Some(close)) if open < close => Self::Param {
                prefix: text[..open].to_owned(),
                suffix: text[close + 1..].to_owned(),
            },
            _ => Self::Literal(text.to_owned()),
        }
    }

    fn matches(&self, concrete: &str) -> bool {
        match self {
            Self::Literal(literal) => literal == concrete,
            Self::Param { prefix, suffix } => {
                concrete.len() > prefix.len() + suffix.len()
                    && concrete.starts_with(prefix.as_str())
                    && concrete.ends_with(suffix.as_str())
            }
        }
    }
}

#[derive(Debug)]
struct Template {
    text: String,
    segments: Vec<Segment>,
    /// The lowercase methods the path item defines.
    methods: Vec<&'static str>,
}

/// The path templates of one document.
#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    templates: Vec<Template>,
}

impl PathIndex {
    pub(crate) fn new(paths: &serde_json::Map<String, Value>) -> Self {
        let templates = paths
            .iter()
            .map(|(text, item)| Template {
                text: text.clone(),
                segments: split(text).map(Segment::parse).collect(),
                methods: METHODS
                    .into_iter()
                    .filter(|method| item.get(*method).is_some_and(Value::is_object))
                    .collect(),
            })
            .collect();
        Self { templates }
    }

    /// Every (template, lowercase method) pair, in document order.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.templates.iter().flat_map(|template| {
            template
                .methods
                .iter()
                .map(|method| (template.text.as_str(), *method))
        })
    }

    /// The template that defines `method` (lowercase) and matches `path` (no query), preferring
    /// at the first segment where two matches differ the one with a literal segment.
    pub(crate) fn find(&self, method: &str, path: &str) -> Option<&str> {
        let concrete: Vec<&str> = split(path).collect();
        self.templates
            .iter()
            .filter(|template| template.methods.contains(&method))
            .filter(|template| template.segments.len() == concrete.len())
            .filter(|template| {
                template
                    .segments
                    .iter()
                    .zip(&concrete)
                    .all(|(segment, concrete)| segment.matches(concrete))
            })
            .max_by(|a, b| specificity(a).cmp(&specificity(b)))
            .map(|template| template.text.as_str())
    }
}

/// Literal segments as `true`, in order: comparing these lexicographically ranks a template
/// whose first differing segment is literal above one whose segment is templated.
fn specificity(template: &Template) -> Vec<bool> {
    template
        .segments
        .iter()
        .map(|segment| matches!(segment, Segment::Literal(_)))
        .collect()
}

/// The segments after the leading `/`; a trailing `/` gives a last empty segment.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// The path part of a request target: no scheme and authority, no query, no fragment.
pub(crate) fn request_path(target: &str) -> &str {
    let without_origin = match target.find("://") {
        Some(scheme_end) => {
            let rest = &target[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => target,
    };
    let end = without_origin
        .find(['?', '#'])
        .unwrap_or(without_origin.len());
    &without_origin[..end]
}
