//! The consumer of `provider.import_requested` inside a real ProviderServer, on the embedded
//! durable bus, in front of a real service_persist: a request makes one import; the same request
//! delivered twice (the same message id, as a redelivery) changes the catalog once; a request
//! that can never succeed is dead-lettered at once with the reason, and one whose feed fails is
//! acknowledged with the failed run as its record.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::provider::v1 as pb;
use carpetti_provider::import::IMPORT_REQUESTED_TOPIC;
use carpetti_queue::{
    Bus, DeadLetter, Deliveries, MessageId, OutgoingMessage, QueueError, Subscription, Topic,
};
use prost::Message as _;
use tokio::sync::watch;

use crate::import::harness::{Backend, Harness, Provider, meta_id, on_each_backend, real_feed};

/// The consumer group of service_provider.
const GROUP: &str = "provider";

/// A bus that tells which consumer groups subscribed: the embedded bus delivers to a group only
/// what is published after its first subscribe, so a test publishes once the provider's
/// consumer is subscribed.
struct Watched {
    inner: Arc<dyn Bus>,
    groups: watch::Sender<Vec<String>>,
}

#[async_trait::async_trait]
impl Bus for Watched {
    async fn publish(&self, message: OutgoingMessage) -> Result<(), QueueError> {
        self.inner.publish(message).await
    }

    async fn publish_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        self.inner.publish_batch(messages).await
    }

    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError> {
        let group = subscription.group.clone();
        let deliveries = self.inner.subscribe(subscription).await?;
        self.groups.send_modify(|groups| groups.push(group));
        Ok(deliveries)
    }

    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        self.inner.dead_letters(group, limit).await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn close(&self) {
        self.inner.close().await;
    }
}

/// The provider consuming import requests from the harness's bus, once its consumer subscribed.
async fn consuming_provider(h: &Harness) -> Result<Provider> {
    let (groups, mut subscribed) = watch::channel(Vec::new());
    let bus = Arc::new(Watched {
        inner: Arc::clone(&h.bus),
        groups,
    });
    let provider = h.serve_provider(h.importer.clone(), Some(bus)).await?;
    tokio::time::timeout(
        Duration::from_secs(10),
        subscribed.wait_for(|groups| groups.iter().any(|g| g == GROUP)),
    )
    .await
    .context("the provider's consumer did not subscribe within 10 s")??;
    Ok(provider)
}

fn request(code: &str, id: MessageId) -> Result<OutgoingMessage> {
    let message = pb::ImportRequested {
        supplier_code: code.to_owned(),
        ..Default::default()
    };
    Ok(OutgoingMessage::raw(
        Topic::parse(IMPORT_REQUESTED_TOPIC)?,
        message.encode_to_vec(),
    )
    .with_message_id(id))
}

/// A supplier whose feed is a local real file of 36 offers.
async fn local_supplier(h: &Harness, code: &str) -> Result<(cat::Supplier, usize)> {
    let file = real_feed("yandex-official-yandex_products_Ekaterinburg_feed.xml");
    let path = file.canonicalize()?.display().to_string();
    let supplier = h
        .supplier_with_feed(code, serde_json::json!({}), Some(path))
        .await?;
    Ok((supplier, 36))
}

/// Waits (10 s at most) until `group` has `n` dead letters.
async fn dead_letters(h: &Harness, n: usize) -> Result<Vec<DeadLetter>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let dead = h.bus.dead_letters(GROUP, 100).await?;
        if dead.len() >= n {
            return Ok(dead);
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "{} dead letters after 10 s, expected {n}",
            dead.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_request_makes_one_import(backend: Backend) -> Result<()> {
    let mut h = Harness::start(backend).await?;
    let (supplier, offers) = local_supplier(&h, "local").await?;
    let supplier_id = meta_id(supplier.meta.as_ref());
    let provider = consuming_provider(&h).await?;
    h.bus.publish(request("local", MessageId::new())?).await?;

    let announced = h.next_change().await?;
    ensure!(announced.created_ids.len() == offers, "{announced:?}");
    // A graceful stop waits for the handlers in flight: after it, every import asked for ran.
    provider.stop().await?;
    let runs = h.runs(&supplier_id).await?;
    ensure!(runs.len() == 1, "{} runs: {runs:?}", runs.len());
    let run = &runs[0];
    ensure!(
        run.status == cat::ImportRunStatus::Succeeded as i32
            && (run.read, run.created) == (offers as i64, offers as i64),
        "{run:?}"
    );
    ensure!(
        announced.import_run_id == meta_id(run.meta.as_ref()),
        "{announced:?}"
    );
    ensure!(h.items(&supplier_id).await?.len() == offers, "items");
    ensure!(
        h.bus.dead_letters(GROUP, 10).await?.is_empty(),
        "dead-lettered"
    );
    h.stop().await
}

/// The consumer is idempotent by effect, as its doc says: a redelivered request runs a second
/// import, which finds every item unchanged — a second run is recorded and announced with no
/// ids, the catalog changes once.
async fn a_request_delivered_twice_changes_the_catalog_once(backend: Backend) -> Result<()> {
    let mut h = Harness::start(backend).await?;
    let (supplier, offers) = local_supplier(&h, "local").await?;
    let supplier_id = meta_id(supplier.meta.as_ref());
    let provider = consuming_provider(&h).await?;
    let id = MessageId::new();
    h.bus.publish(request("local", id)?).await?;
    h.bus.publish(request("local", id)?).await?;

    let first = h.next_change().await?;
    let second = h.next_change().await?;
    provider.stop().await?;
    ensure!(first.created_ids.len() == offers, "{first:?}");
    ensure!(
        second.created_ids.is_empty()
            && second.updated_ids.is_empty()
            && second.gone_ids.is_empty(),
        "the second delivery changed items: {second:?}"
    );
    let runs = h.runs(&supplier_id).await?;
    let counts: Vec<(i64, i64, i64, i64)> = runs
        .iter()
        .map(|r| (r.created, r.updated, r.unchanged, r.gone))
        .collect();
    let n = offers as i64;
    ensure!(counts == vec![(n, 0, 0, 0), (0, 0, n, 0)], "{counts:?}");
    let items = h.items(&supplier_id).await?;
    ensure!(items.len() == offers, "{} items", items.len());
    // Every item was written once: by the first run, never touched by the second.
    let first_run = meta_id(runs[0].meta.as_ref());
    ensure!(
        items
            .iter()
            .all(|i| i.last_import_run_id.as_deref() == Some(first_run.as_str())),
        "{items:?}"
    );
    h.stop().await
}

async fn a_request_that_cannot_succeed_is_dead_lettered(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    // A supplier with no feed at all, and one whose feed file is missing.
    h.supplier("feedless", serde_json::json!({})).await?;
    let missing = h.work.path().join("no-such-feed.xml").display().to_string();
    let broken = h
        .supplier_with_feed("broken", serde_json::json!({}), Some(missing))
        .await?;
    let provider = consuming_provider(&h).await?;
    let (nobody, feedless) = (MessageId::new(), MessageId::new());
    h.bus.publish(request("nobody", nobody)?).await?;
    h.bus.publish(request("feedless", feedless)?).await?;
    h.bus.publish(request("broken", MessageId::new())?).await?;

    // The unknown supplier and the one without a feed go to the dead letters at once (first
    // attempt), with the reason.
    let dead = dead_letters(&h, 2).await?;
    let reason = |id: MessageId| {
        dead.iter()
            .find(|d| d.envelope.headers.message_id == id)
            .map(|d| (d.attempts, d.last_error.clone()))
    };
    ensure!(
        reason(nobody) == Some((1, "unknown supplier nobody".to_owned())),
        "{dead:?}"
    );
    ensure!(
        reason(feedless)
            .is_some_and(|(attempts, why)| attempts == 1 && why.contains("has no feed_url")),
        "{dead:?}"
    );
    // A feed that cannot be fetched is the import's business, not the queue's: the run records
    // the failure and the request is acknowledged (no retry, no dead letter).
    let broken_id = meta_id(broken.meta.as_ref());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !h
        .runs(&broken_id)
        .await?
        .iter()
        .any(|r| r.status == cat::ImportRunStatus::Failed as i32)
    {
        ensure!(
            tokio::time::Instant::now() < deadline,
            "no failed run within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A graceful stop settles the request in flight.
    provider.stop().await?;
    let runs = h.runs(&broken_id).await?;
    ensure!(runs.len() == 1, "{runs:?}");
    ensure!(
        runs[0].status == cat::ImportRunStatus::Failed as i32
            && runs[0]
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("the feed could not be fetched")),
        "{runs:?}"
    );
    ensure!(
        h.bus.dead_letters(GROUP, 10).await?.len() == 2,
        "the failed feed was dead-lettered"
    );
    // The refused requests recorded nothing.
    let all = h
        .client
        .imports()
        .list_import_runs(api::ListQuery::default())
        .await?
        .into_inner();
    ensure!(all.items.len() == 1, "{:?}", all.items);
    h.stop().await
}

on_each_backend!(
    a_request_makes_one_import,
    a_request_delivered_twice_changes_the_catalog_once,
    a_request_that_cannot_succeed_is_dead_lettered,
);
