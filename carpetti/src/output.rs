//! How commands print: comfy-table tables for people, one JSON document a line with `--json`.

use comfy_table::{ContentArrangement, Table, presets};

/// An empty table with the house style and the given header.
pub fn table<I, S>(header: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table
}

/// A table cell for a figure that may be missing: `show(value)`, or "—".
pub fn or_dash<T>(value: Option<T>, show: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| "—".to_owned(), show)
}

/// A table cell for a peak RSS in MiB: "123 MiB", or "—" where it was not measured.
pub fn mib(value: Option<f64>) -> String {
    or_dash(value, |m| format!("{m:.0} MiB"))
}

/// Prints one JSON document on one line of stdout.
pub fn json_line(value: &serde_json::Value) {
    line(&value.to_string());
}

/// Prints `text` and a newline on stdout. A stdout that went away (the reader closed the pipe)
/// is not a reason for a running service to panic: the line is dropped.
pub fn line(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}
