//! The queue messages of imports: `provider.import_requested` in, `provider.items_changed` out.

use carpetti_proto::provider::v1 as pb;
use carpetti_queue::{Bus, OutgoingMessage, QueueError, Topic};
use prost::Message;
use uuid::Uuid;

/// Topic of [`pb::ImportRequested`].
pub const IMPORT_REQUESTED_TOPIC: &str = "provider.import_requested";
/// Topic of [`pb::SupplierItemsChanged`].
pub const ITEMS_CHANGED_TOPIC: &str = "provider.items_changed";
/// Ids per announcement part.
const IDS_PER_PART: usize = 10_000;

/// The run's changes as ids.
#[derive(Debug, Default)]
pub struct Changes {
    pub created: Vec<Uuid>,
    pub updated: Vec<Uuid>,
    pub gone: Vec<Uuid>,
}

/// The announcement of one run, in parts of at most [`IDS_PER_PART`] ids.
pub fn announcement(
    supplier: (&str, &str),
    run_id: &str,
    changes: &Changes,
    counts: pb::ImportCounts,
) -> Vec<pb::SupplierItemsChanged> {
    let ids: Vec<(u8, &Uuid)> = changes
        .created
        .iter()
        .map(|id| (0, id))
        .chain(changes.updated.iter().map(|id| (1, id)))
        .chain(changes.gone.iter().map(|id| (2, id)))
        .collect();
    let chunks: Vec<&[(u8, &Uuid)]> = if ids.is_empty() {
        vec![&[]]
    } else {
        ids.chunks(IDS_PER_PART).collect()
    };
    let parts = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
    chunks
        .into_iter()
        .enumerate()
        .map(|(n, chunk)| {
            let mut message = pb::SupplierItemsChanged {
                supplier_id: supplier.0.to_owned(),
                supplier_code: supplier.1.to_owned(),
                import_run_id: run_id.to_owned(),
                part: u32::try_from(n + 1).unwrap_or(u32::MAX),
                parts,
                counts: Some(counts),
                ..Default::default()
            };
            for (kind, id) in chunk {
                let list = match kind {
                    0 => &mut message.created_ids,
                    1 => &mut message.updated_ids,
                    _ => &mut message.gone_ids,
                };
                list.push(id.to_string());
            }
            message
        })
        .collect()
}

/// Publishes the parts (confirmed) on the bus.
pub async fn publish(
    bus: &dyn Bus,
    parts: Vec<pb::SupplierItemsChanged>,
) -> Result<(), QueueError> {
    let topic = Topic::parse(ITEMS_CHANGED_TOPIC)?;
    let messages = parts
        .into_iter()
        .map(|part| OutgoingMessage::raw(topic.clone(), part.encode_to_vec()))
        .collect();
    bus.publish_batch(messages).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_runs_are_announced_in_parts_with_every_id_once() {
        let changes = Changes {
            created: (0..15_000).map(|_| Uuid::now_v7()).collect(),
            updated: (0..6_000).map(|_| Uuid::now_v7()).collect(),
            gone: vec![Uuid::now_v7()],
        };
        let parts = announcement(("s", "acme"), "r", &changes, pb::ImportCounts::default());
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.parts == 3));
        let created: usize = parts.iter().map(|p| p.created_ids.len()).sum();
        let updated: usize = parts.iter().map(|p| p.updated_ids.len()).sum();
        let gone: usize = parts.iter().map(|p| p.gone_ids.len()).sum();
        assert_eq!((created, updated, gone), (15_000, 6_000, 1));
        assert_eq!(parts[2].part, 3);
    }

    #[test]
    fn a_run_without_changes_is_still_announced_once() {
        let parts = announcement(
            ("s", "acme"),
            "r",
            &Changes::default(),
            pb::ImportCounts::default(),
        );
        assert_eq!(parts.len(), 1);
        assert_eq!((parts[0].part, parts[0].parts), (1, 1));
    }
}
