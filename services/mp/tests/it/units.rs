//! The parts of service_mp that need no marketplace: stock coalescing, order status words, the
//! file store's keys.

use std::time::{Duration, Instant};

use carpetti_marketplace::{ListingIds, StockUpdate};
use carpetti_mp::files::{FileBlobs, LocalFiles};
use carpetti_mp::orders::status_of;
use carpetti_mp::stocks::StockQueue;
use carpetti_proto::catalog::v1::OrderStatus;

fn stock(offer: &str, warehouse: &str, quantity: u32) -> StockUpdate {
    StockUpdate {
        ids: ListingIds::offer(offer),
        warehouse_id: warehouse.to_owned(),
        quantity,
    }
}

#[test]
fn stock_changes_coalesce_to_the_latest_per_offer_and_warehouse() {
    let mut queue = StockQueue::new();
    for quantity in 0..5 {
        queue.push(stock("A", "1", quantity));
    }
    queue.push(stock("A", "2", 7));
    queue.push(stock("B", "1", 3));
    assert_eq!(queue.len(), 3);
    assert_eq!((queue.received, queue.coalesced), (7, 4));
    let due = queue.take_due(Instant::now(), None, 10);
    let a1 = due
        .iter()
        .find(|u| u.ids.offer_id == "A" && u.warehouse_id == "1")
        .expect("A at 1");
    assert_eq!(a1.quantity, 4, "the latest quantity wins");
    assert!(queue.is_empty());
}

#[test]
fn an_offer_and_warehouse_waits_out_the_per_item_interval() {
    let interval = Some(Duration::from_secs(30));
    let start = Instant::now();
    let mut queue = StockQueue::new();
    queue.push(stock("A", "1", 1));
    let first = queue.take_due(start, interval, 100);
    queue.sent(&first, start);
    queue.push(stock("A", "1", 2));
    queue.push(stock("B", "1", 5));
    let second = queue.take_due(start + Duration::from_secs(1), interval, 100);
    assert_eq!(second.len(), 1, "B goes, A waits: {second:?}");
    assert_eq!(second[0].ids.offer_id, "B");
    let wait = queue.wait(start + Duration::from_secs(1), interval);
    assert_eq!(wait, Duration::from_secs(29));
    let third = queue.take_due(start + Duration::from_secs(30), interval, 100);
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].quantity, 2);
}

#[test]
fn batches_never_exceed_the_maximum() {
    let mut queue = StockQueue::new();
    for i in 0..250 {
        queue.push(stock(&format!("S{i}"), "1", 1));
    }
    let sizes: Vec<usize> = std::iter::from_fn(|| {
        let batch = queue.take_due(Instant::now(), None, 100);
        (!batch.is_empty()).then_some(batch.len())
    })
    .collect();
    assert_eq!(sizes, vec![100, 100, 50]);
}

#[test]
fn marketplace_status_words_map_to_ours() {
    let cases = [
        ("awaiting_packaging", OrderStatus::New),
        ("awaiting_deliver", OrderStatus::Packed),
        ("delivering", OrderStatus::Shipped),
        ("delivered", OrderStatus::Delivered),
        ("cancelled", OrderStatus::Cancelled),
        ("new", OrderStatus::New),
        ("confirm", OrderStatus::Confirmed),
        ("complete", OrderStatus::Shipped),
        ("cancel", OrderStatus::Cancelled),
        ("PROCESSING", OrderStatus::Confirmed),
        ("PROCESSING/READY_TO_SHIP", OrderStatus::Packed),
        ("DELIVERY", OrderStatus::Shipped),
        ("RETURNED", OrderStatus::Returned),
        ("CONFIRMED", OrderStatus::Confirmed),
        ("PACKED", OrderStatus::Packed),
        ("SHIPPED", OrderStatus::Shipped),
    ];
    for (word, expected) in cases {
        assert_eq!(status_of(word), expected, "{word}");
    }
}

#[tokio::test]
async fn local_files_keep_bytes_and_refuse_keys_outside_the_root() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = LocalFiles::new(dir.path());
    files.put("labels/OZ/label-1.pdf", b"%PDF-1.4 x").await?;
    assert_eq!(files.get("labels/OZ/label-1.pdf").await?, b"%PDF-1.4 x");
    for bad in ["../escape.pdf", "/etc/passwd", "", "labels/../../x"] {
        assert!(
            files.put(bad, b"x").await.is_err(),
            "{bad:?} must be refused"
        );
    }
    Ok(())
}
