//! The limit the PostgreSQL upsert is measured against: a raw `COPY … FROM STDIN` of the same
//! rows (same generator, same computed hash and search text) into a table built `LIKE
//! supplier_item INCLUDING ALL` (the same columns, checks and indexes, trigram index included),
//! in one transaction, with no gRPC, no look-ups and no conflict handling.

use std::time::Instant;

use anyhow::Context as _;
use indicatif::ProgressBar;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::items;
use super::persist::Pass;
use super::rss;

const COLUMNS: &str = "id, change_seq, created_at, updated_at, supplier_id, offer_id, name, \
     vendor, vendor_code, barcodes, description, category_name, url, pictures, price, old_price, \
     currency, stock, available, pack_quantity, group_id, params, weight_g, length_mm, width_mm, \
     height_mm, content_hash, last_import_run_id, search_text";

/// Appends one value in COPY text format (`\N` for NULL, backslash escapes).
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(text) => {
            for ch in text.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    other => out.push(other),
                }
            }
        }
    }
    out.push('\t');
}

/// Copies `count` items of `supplier_id` and returns the pass.
pub async fn run(
    url: &str,
    supplier_id: Uuid,
    count: u64,
    chunk: usize,
    bar: &ProgressBar,
) -> anyhow::Result<Pass> {
    let mut conn = PgConnection::connect(url)
        .await
        .context("connecting for COPY")?;
    sqlx::query("CREATE TABLE supplier_item_copy (LIKE supplier_item INCLUDING ALL)")
        .execute(&mut conn)
        .await?;
    rss::reset_peak();
    let started = Instant::now();
    let now = carpetti_util::now().to_rfc3339();
    let mut tx = conn.begin().await?;
    let mut copy = tx
        .copy_in_raw(&format!("COPY supplier_item_copy ({COLUMNS}) FROM STDIN"))
        .await?;
    let mut buffer = String::with_capacity(chunk * 1024);
    let mut index = 0;
    while index < count {
        buffer.clear();
        let end = (index + chunk as u64).min(count);
        for i in index..end {
            let item = items::item(supplier_id, i, 0)?;
            field(&mut buffer, Some(&carpetti_util::new_id().to_string()));
            field(&mut buffer, Some(&(i + 1).to_string()));
            field(&mut buffer, Some(&now));
            field(&mut buffer, Some(&now));
            field(&mut buffer, Some(&supplier_id.to_string()));
            field(&mut buffer, Some(item.offer_id.as_str()));
            field(&mut buffer, Some(&item.name));
            field(&mut buffer, item.vendor.as_deref());
            field(&mut buffer, item.vendor_code.as_deref());
            field(&mut buffer, Some(&json(&item.barcodes)?));
            field(&mut buffer, item.description.as_deref());
            field(&mut buffer, item.category_name.as_deref());
            field(&mut buffer, item.url.as_deref());
            field(&mut buffer, Some(&json(&item.pictures)?));
            field(&mut buffer, Some(&item.price.to_string()));
            field(
                &mut buffer,
                item.old_price.map(|p| p.to_string()).as_deref(),
            );
            field(&mut buffer, Some(item.currency.as_str()));
            field(&mut buffer, item.stock.map(|s| s.to_string()).as_deref());
            field(&mut buffer, Some(if item.available { "t" } else { "f" }));
            field(&mut buffer, Some(&item.pack_quantity.to_string()));
            field(&mut buffer, item.group_id.as_deref());
            field(&mut buffer, Some(&json(&item.params)?));
            for dim in [item.weight_g, item.length_mm, item.width_mm, item.height_mm] {
                field(&mut buffer, dim.map(|d| d.to_string()).as_deref());
            }
            field(&mut buffer, Some(item.content_hash().as_str()));
            field(&mut buffer, None);
            field(&mut buffer, Some(&item.search_text()));
            // replace the trailing tab of the last field with the row end
            buffer.pop();
            buffer.push('\n');
        }
        copy.send(buffer.as_bytes()).await?;
        bar.inc(end - index);
        index = end;
    }
    let rows = copy.finish().await?;
    tx.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Pass::new(
        "raw COPY (limit)",
        count,
        seconds,
        format!("{rows} rows copied"),
    ))
}

/// JSON text of a list-valued column, as the store writes it.
fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string(value)?)
}
