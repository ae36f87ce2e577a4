//! Text normalization for search: lower case, `ё` folded into `е`, whitespace collapsed.
//!
//! Both backends match search terms with `LIKE '%term%'` on a precomputed `search_text` column,
//! because SQLite's `LIKE` folds case for ASCII only; normalizing once in Rust makes Cyrillic
//! search behave the same on PostgreSQL and SQLite.

/// Normalizes one search term or field.
pub fn normalize_search_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for ch in input.chars() {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for lower in ch.to_lowercase() {
            out.push(match lower {
                'ё' => 'е',
                other => other,
            });
        }
    }
    out
}

/// Builds the `search_text` of an entity from its searchable fields, separated by `|` so that
/// a term never matches across two fields.
pub fn search_text<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for field in fields {
        let normalized = normalize_search_text(field);
        if normalized.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(&normalized);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_yo_and_spaces() {
        assert_eq!(
            normalize_search_text("  Ёлка  ЗЕЛЁНАЯ\tXL "),
            "елка зеленая xl"
        );
    }

    #[test]
    fn joins_fields_skipping_empty_ones() {
        assert_eq!(search_text(["Чайник", "", "SKU-1"]), "чайник|sku-1");
    }
}
