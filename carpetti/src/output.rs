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

/// Prints one JSON document on one line of stdout.
pub fn json_line(value: &serde_json::Value) {
    println!("{value}");
}
