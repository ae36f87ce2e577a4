//! The queue messages of imports: `provider.import_requested` in, `provider.items_changed` out,
//! and the run's changed ids ([`Changes`]) spooled until they are announced.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use carpetti_proto::provider::v1 as pb;
use carpetti_queue::{Bus, OutgoingMessage, QueueError, Topic};
use prost::Message;
use uuid::Uuid;

use super::ImportError;

/// Topic of [`pb::ImportRequested`].
pub const IMPORT_REQUESTED_TOPIC: &str = "provider.import_requested";
/// Topic of [`pb::SupplierItemsChanged`].
pub const ITEMS_CHANGED_TOPIC: &str = "provider.items_changed";
/// Ids per announcement part.
const IDS_PER_PART: usize = 10_000;
/// Parts published per batch.
const PARTS_PER_BATCH: usize = 8;
/// A spooled change: its kind, then the id's 16 bytes.
const RECORD: usize = 17;

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created = 0,
    Updated = 1,
    Gone = 2,
}

/// The run's changed item ids, spooled to a file (17 bytes each) until the run is announced, so
/// that a run changing millions of items holds none of their ids in memory.
#[derive(Debug)]
pub struct Changes {
    path: PathBuf,
    out: BufWriter<File>,
    ids: u64,
}

impl Changes {
    pub fn create(path: PathBuf) -> Result<Self, ImportError> {
        let file = File::create(&path).map_err(ImportError::spool(&path))?;
        Ok(Self {
            out: BufWriter::with_capacity(64 << 10, file),
            path,
            ids: 0,
        })
    }

    pub fn push(&mut self, change: Change, id: Uuid) -> Result<(), ImportError> {
        let mut record = [0u8; RECORD];
        record[0] = change as u8;
        record[1..].copy_from_slice(id.as_bytes());
        self.out
            .write_all(&record)
            .map_err(ImportError::spool(&self.path))?;
        self.ids += 1;
        Ok(())
    }

    /// Flushes and reads the ids back in parts of at most `per_part`, in the order recorded.
    fn parts(&mut self, per_part: usize) -> Result<Parts, ImportError> {
        self.out.flush().map_err(ImportError::spool(&self.path))?;
        let file = File::open(&self.path).map_err(ImportError::spool(&self.path))?;
        let parts = self.ids.div_ceil(per_part as u64).max(1);
        Ok(Parts {
            input: BufReader::with_capacity(64 << 10, file),
            path: self.path.clone(),
            left: self.ids,
            per_part,
            part: 0,
            parts: u32::try_from(parts).unwrap_or(u32::MAX),
        })
    }
}

/// The ids of a run, part by part.
struct Parts {
    input: BufReader<File>,
    path: PathBuf,
    left: u64,
    per_part: usize,
    part: u32,
    parts: u32,
}

impl Parts {
    /// The next part's created, updated and gone ids; `None` after the last part.
    fn next_part(&mut self) -> Result<Option<[Vec<String>; 3]>, ImportError> {
        if self.part == self.parts {
            return Ok(None);
        }
        self.part += 1;
        let mut lists: [Vec<String>; 3] = Default::default();
        let take = self.left.min(self.per_part as u64);
        let mut record = [0u8; RECORD];
        for _ in 0..take {
            self.input
                .read_exact(&mut record)
                .map_err(ImportError::spool(&self.path))?;
            let mut id = [0u8; 16];
            id.copy_from_slice(&record[1..]);
            let kind = usize::from(record[0]).min(2);
            lists[kind].push(Uuid::from_bytes(id).to_string());
        }
        self.left -= take;
        Ok(Some(lists))
    }
}

/// Why a run's changes could not be announced.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Spool(#[from] ImportError),
}

/// Announces one run on the bus, in parts of at most [`IDS_PER_PART`] ids (one part when nothing
/// changed), each part confirmed; every part carries the run's totals.
pub async fn announce(
    bus: &dyn Bus,
    supplier: (&str, &str),
    run_id: &str,
    changes: &mut Changes,
    counts: pb::ImportCounts,
) -> Result<(), AnnounceError> {
    let topic = Topic::parse(ITEMS_CHANGED_TOPIC)?;
    let mut parts = changes.parts(IDS_PER_PART)?;
    let mut batch = Vec::with_capacity(PARTS_PER_BATCH);
    loop {
        let next = parts.next_part()?;
        let end = next.is_none();
        if let Some([created_ids, updated_ids, gone_ids]) = next {
            let message = pb::SupplierItemsChanged {
                supplier_id: supplier.0.to_owned(),
                supplier_code: supplier.1.to_owned(),
                import_run_id: run_id.to_owned(),
                part: parts.part,
                parts: parts.parts,
                counts: Some(counts),
                created_ids,
                updated_ids,
                gone_ids,
            };
            batch.push(OutgoingMessage::raw(topic.clone(), message.encode_to_vec()));
        }
        if batch.len() == PARTS_PER_BATCH || (end && !batch.is_empty()) {
            bus.publish_batch(std::mem::take(&mut batch)).await?;
        }
        if end {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(dir: &tempfile::TempDir, created: usize, updated: usize, gone: usize) -> Changes {
        let mut changes = Changes::create(dir.path().join("changes")).expect("create");
        for (kind, n) in [
            (Change::Created, created),
            (Change::Updated, updated),
            (Change::Gone, gone),
        ] {
            for _ in 0..n {
                changes.push(kind, Uuid::now_v7()).expect("push");
            }
        }
        changes
    }

    fn all_parts(changes: &mut Changes, per_part: usize) -> Vec<[Vec<String>; 3]> {
        let mut parts = changes.parts(per_part).expect("parts");
        let mut all = Vec::new();
        while let Some(part) = parts.next_part().expect("part") {
            assert_eq!(parts.part as usize, all.len() + 1);
            all.push(part);
        }
        all
    }

    #[test]
    fn large_runs_are_read_back_in_parts_with_every_id_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut changes = changes(&dir, 15_000, 6_000, 1);
        assert_eq!(changes.ids, 21_001);
        let parts = all_parts(&mut changes, IDS_PER_PART);
        assert_eq!(parts.len(), 3);
        let count = |kind: usize| parts.iter().map(|p| p[kind].len()).sum::<usize>();
        assert_eq!((count(0), count(1), count(2)), (15_000, 6_000, 1));
        let mut ids: Vec<&String> = parts.iter().flatten().flatten().collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 21_001, "every id once");
        assert_eq!(parts[2][2].len(), 1, "the gone id came last");
    }

    #[test]
    fn a_run_without_changes_is_still_one_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut changes = changes(&dir, 0, 0, 0);
        assert_eq!(changes.ids, 0);
        let parts = all_parts(&mut changes, IDS_PER_PART);
        assert_eq!(parts.len(), 1);
        assert!(parts[0].iter().all(Vec::is_empty));
    }
}
