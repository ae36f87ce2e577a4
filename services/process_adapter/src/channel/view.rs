//! What a channel shows its subscribers: nothing yet, an error, or the schema and latest cursor,
//! all pre-serialized once and shared by every socket.

use std::sync::Arc;
use std::time::Instant;

use crate::protocol::Frame;

/// A channel's current state, held in a `watch` so that a slow subscriber skips stale states.
#[derive(Clone, Debug, Default)]
pub enum View {
    /// The channel object is being created (instance lookup, XML fetch).
    #[default]
    Pending,
    /// No instance to show: an `error` frame.
    Failed(Arc<Failed>),
    /// The schema and, once polled, the cursor.
    Ready(Arc<Ready>),
}

/// A channel without an instance.
#[derive(Debug)]
pub struct Failed {
    pub frame: Frame,
    pub seq: u64,
}

/// A channel with its instance.
#[derive(Debug)]
pub struct Ready {
    pub process_instance_id: Arc<str>,
    pub definition_id: Arc<str>,
    /// The `schema` frame.
    pub schema: Frame,
    /// The `cursor` frame (`None` until the first poll).
    pub cursor: Option<Frame>,
    pub seq: u64,
    /// When the poll that produced `cursor` saw it (push latency is measured from here).
    pub observed: Option<Instant>,
}

impl View {
    /// The change number of this view (0 while pending).
    pub fn seq(&self) -> u64 {
        match self {
            View::Pending => 0,
            View::Failed(f) => f.seq,
            View::Ready(r) => r.seq,
        }
    }
}
