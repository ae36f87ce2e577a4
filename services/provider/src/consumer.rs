//! The queue consumer of `provider.import_requested`: each request runs one import. Handling a
//! request twice is harmless (the second import finds every item unchanged), which is what makes
//! this consumer idempotent without a processed-message store.

use std::sync::Arc;

use carpetti_proto::provider::v1 as pb;
use carpetti_queue::{Envelope, Handler, HandlerError, RetryPolicy, Subscription, TopicPattern};

use crate::import::{IMPORT_REQUESTED_TOPIC, ImportError, ImportRequest, Importer, NoProgress};

/// The consumer group of service_provider.
pub const GROUP: &str = "provider";

/// The subscription: import requests, redelivered with back-off when persist fails (a feed
/// download is retried inside the fetcher; a feed that still cannot be fetched is a failed run,
/// acked).
pub fn subscription() -> Result<Subscription, carpetti_queue::QueueError> {
    Ok(
        Subscription::new(GROUP, vec![TopicPattern::parse(IMPORT_REQUESTED_TOPIC)?])
            .with_retry(RetryPolicy::default()),
    )
}

/// Runs imports asked for on the queue.
pub struct ImportRequests {
    importer: Arc<Importer>,
}

impl ImportRequests {
    pub fn new(importer: Arc<Importer>) -> Self {
        Self { importer }
    }
}

#[async_trait::async_trait]
impl Handler for ImportRequests {
    type Message = pb::ImportRequested;

    async fn handle(&self, message: pb::ImportRequested, _: &Envelope) -> Result<(), HandlerError> {
        let request = ImportRequest {
            supplier_code: message.supplier_code,
            source: message.source.filter(|s| !s.trim().is_empty()),
            upload: None,
            format: None,
            force: message.force,
        };
        match self.importer.import(request, Arc::new(NoProgress)).await {
            Ok(report) => {
                let run = report.run.unwrap_or_default();
                tracing::info!(
                    supplier = %run.supplier_code, status = run.status, read = run.read,
                    created = run.created, updated = run.updated, gone = run.gone,
                    rejected = run.rejected, "import done"
                );
                Ok(())
            }
            // A request that can never succeed goes to the dead-letter queue with the reason.
            Err(err @ (ImportError::UnknownSupplier(_) | ImportError::BadSupplier { .. })) => {
                Err(HandlerError::Reject(err.to_string()))
            }
            Err(err) => Err(HandlerError::retry(err)),
        }
    }
}
