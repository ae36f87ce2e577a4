//! The queue interface: a publication request delivered twice publishes once, and every product's
//! outcome is announced on `mp.publish_result` both times.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use carpetti_marketplace::RetryPolicy;
use carpetti_mp::connectors::ConnectOptions;
use carpetti_mp::consumer::{
    PUBLISH_REQUESTED_TOPIC, PUBLISH_RESULT_TOPIC, PublishRequests, subscription,
};
use carpetti_proto::mp::v1 as pb;
use carpetti_queue::{
    Bus, EmbeddedBus, EmbeddedOptions, OutgoingMessage, Subscription, Topic, TopicPattern,
};
use prost::Message;

use crate::harness::{Backend, Harness};
use crate::scenarios::{Market, kettles};

pub async fn duplicate_delivery_publishes_once(market: &dyn Market) -> Result<()> {
    let h = Harness::start(Backend::Sqlite).await?;
    h.catalog(&kettles()).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let bus: Arc<dyn Bus> = Arc::new(
        EmbeddedBus::open(&h.work.path().join("queue.db"), EmbeddedOptions::default()).await?,
    );
    let mut results = bus
        .subscribe(Subscription::new(
            "test-process",
            vec![TopicPattern::parse(PUBLISH_RESULT_TOPIC)?],
        ))
        .await?;
    let handler = PublishRequests::new(
        h.persist.clone(),
        h.publisher(Duration::from_secs(30)),
        Arc::clone(&bus),
        ConnectOptions {
            policy: RetryPolicy::quick(),
            pace: 1.0,
        },
    );
    // The group's durable queue exists from its first subscription on: make it before publishing.
    drop(bus.subscribe(subscription()?).await?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let consumer_bus = Arc::clone(&bus);
    let consumer = tokio::spawn(async move {
        carpetti_queue::run_consumer(
            consumer_bus.as_ref(),
            subscription()?,
            handler,
            1,
            async move {
                let _ = stopped.await;
            },
        )
        .await
    });
    let request = pb::PublishRequested {
        channel_code: setup.code.to_owned(),
        ..Default::default()
    };
    let topic = Topic::parse(PUBLISH_REQUESTED_TOPIC)?;
    let mut outcomes = Vec::new();
    for round in 0..2 {
        // The same request twice: what a redelivery after a lost ack looks like to the consumer.
        bus.publish(OutgoingMessage::raw(topic.clone(), request.encode_to_vec()))
            .await?;
        let mut round_outcomes = Vec::new();
        while round_outcomes.len() < kettles().len() {
            let delivery = tokio::time::timeout(Duration::from_secs(30), results.next())
                .await
                .with_context(|| format!("round {round}: results"))?
                .context("results ended")?;
            let result = pb::PublishResult::decode(delivery.envelope.payload.clone())?;
            round_outcomes.push((result.sku.clone(), result.outcome()));
            delivery.ack().await?;
        }
        round_outcomes.sort();
        outcomes.push(round_outcomes);
        if round == 0 {
            assert_eq!(market.card_calls(), 1, "one card call for the catalog");
        }
    }
    assert_eq!(market.card_calls(), 1, "the second delivery sent nothing");
    let created = outcomes[0]
        .iter()
        .filter(|(_, o)| *o == pb::PublishOutcome::Created)
        .count();
    let unchanged = outcomes[1]
        .iter()
        .filter(|(_, o)| *o == pb::PublishOutcome::Unchanged)
        .count();
    assert_eq!((created, unchanged), (6, 6), "{outcomes:?}");
    let _ = stop.send(());
    consumer.await??;
    Ok(())
}
