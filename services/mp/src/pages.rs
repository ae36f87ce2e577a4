//! Reading persist's cursor-paged lists to their end.

use std::future::Future;

use carpetti_proto::persist::v1 as api;

/// Every item of a paged list: `page(cursor)` reads one page and returns its items with the next
/// cursor (empty after the last page).
pub async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, tonic::Status>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, String), tonic::Status>>,
{
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let (mut got, next) = page(cursor).await?;
        items.append(&mut got);
        if next.is_empty() {
            return Ok(items);
        }
        cursor = next;
    }
}

/// The query of one page of a channel's rows (listings, mappings, outbox entries); an empty
/// `channel_id` lists every row.
pub fn channel_query(channel_id: &str, cursor: String) -> api::ListQuery {
    api::ListQuery {
        page_size: 1000,
        cursor,
        channel_id: channel_id.to_owned(),
        ..Default::default()
    }
}
