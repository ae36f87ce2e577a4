//! The limit of `carpetti bench queue`: the same run on the same broker with lapin alone — one
//! confirm-mode channel publishing 1 KB persistent messages with no headers through a durable
//! topic exchange into one durable queue, pipelined in the same batches and window, and one
//! consumer with the same prefetch acking every message. No header mapping, no retry or
//! dead-letter topology, no reconnect logic: what the broker and the client library cost.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Confirmation, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Semaphore;

use super::{Backend, Clock, Pass, QueueBenchArgs, pass, progress};
use crate::context::Context;

/// Every broker call of the limit run is bounded too.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

async fn timed<T>(what: &str, call: impl Future<Output = lapin::Result<T>>) -> anyhow::Result<T> {
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .with_context(|| format!("{what}: no answer within {CALL_TIMEOUT:?}"))?
        .with_context(|| what.to_owned())
}

pub(super) async fn run(args: &QueueBenchArgs, ctx: &Context) -> anyhow::Result<Pass> {
    let name = format!("carpetti-bench-raw-{}", uuid::Uuid::now_v7().simple());
    let result = measure(args, ctx, &name).await;
    delete_scratch(&args.amqp_url, &name, std::slice::from_ref(&name)).await?;
    result
}

async fn measure(args: &QueueBenchArgs, ctx: &Context, name: &str) -> anyhow::Result<Pass> {
    let connection = timed(
        "connect",
        Connection::connect(&args.amqp_url, ConnectionProperties::default()),
    )
    .await?;
    let publisher = timed("channel.open", connection.create_channel()).await?;
    let consumer_channel = timed("channel.open", connection.create_channel()).await?;
    timed(
        "confirm.select",
        publisher.confirm_select(ConfirmSelectOptions::default()),
    )
    .await?;
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    let declare = publisher.exchange_declare(
        name.into(),
        ExchangeKind::Topic,
        durable,
        FieldTable::default(),
    );
    timed("exchange.declare", declare).await?;
    // The same classic-queue index version as the bus's queues (RabbitConfig::queue_version).
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-version".into(), AMQPValue::LongLongInt(2));
    let declare = publisher.queue_declare(name.into(), QueueDeclareOptions::durable(), arguments);
    timed("queue.declare", declare).await?;
    let bind = publisher.queue_bind(
        name.into(),
        name.into(),
        "bench.#".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    );
    timed("queue.bind", bind).await?;
    timed(
        "basic.qos",
        consumer_channel.basic_qos(args.prefetch, BasicQosOptions::default()),
    )
    .await?;
    let consume = consumer_channel.basic_consume(
        name.into(),
        "bench".into(),
        BasicConsumeOptions::default(),
        FieldTable::default(),
    );
    let mut consumer = timed("basic.consume", consume).await?;

    let bar = progress(ctx, args.messages, "RabbitmqRaw");
    let clock = Arc::new(Clock::new());
    let publishing = {
        let (channel, clock, exchange) = (publisher.clone(), Arc::clone(&clock), name.to_owned());
        let (count, batch, size) = (args.messages, args.batch as u64, args.size);
        let window = Arc::new(Semaphore::new(args.in_flight));
        tokio::spawn(async move {
            let mut sent = 0u64;
            let mut batches = tokio::task::JoinSet::new();
            while sent < count {
                let permit = Arc::clone(&window).acquire_owned().await?;
                let end = (sent + batch).min(count);
                let payloads: Vec<Vec<u8>> = (sent..end).map(|_| clock.stamp(size)).collect();
                let (channel, exchange) = (channel.clone(), exchange.clone());
                batches.spawn(async move {
                    let properties = BasicProperties::default().with_delivery_mode(2);
                    let sends: futures::stream::FuturesOrdered<_> = payloads
                        .iter()
                        .map(|payload| {
                            channel.basic_publish(
                                exchange.as_str().into(),
                                "bench.message".into(),
                                BasicPublishOptions::default(),
                                payload,
                                properties.clone(),
                            )
                        })
                        .collect();
                    let confirms: Vec<_> = sends.collect().await;
                    for confirm in confirms {
                        match timed("confirm", confirm?).await? {
                            Confirmation::Ack(None) => {}
                            other => anyhow::bail!("publish not confirmed: {other:?}"),
                        }
                    }
                    drop(permit);
                    anyhow::Ok(())
                });
                while let Some(done) = batches.try_join_next() {
                    done??;
                }
                sent = end;
            }
            while let Some(done) = batches.join_next().await {
                done??;
            }
            anyhow::Ok(())
        })
    };

    let mut latencies = Vec::with_capacity(usize::try_from(args.messages).unwrap_or(0));
    let mut acks = FuturesUnordered::new();
    while (latencies.len() as u64) < args.messages {
        tokio::select! {
            Some(acked) = acks.next(), if !acks.is_empty() => {
                let acked: lapin::Result<bool> = acked;
                acked?;
            }
            next = tokio::time::timeout(Duration::from_secs(60), consumer.next()) => {
                let delivery = next
                    .context("no delivery for 60 s")?
                    .context("the consumer ended")??;
                latencies.push(clock.latency_us(&delivery.data));
                let acker = delivery.acker;
                acks.push(async move { acker.ack(BasicAckOptions::default()).await });
                bar.inc(1);
            }
        }
    }
    while let Some(acked) = acks.next().await {
        acked?;
    }
    let seconds = clock.started.elapsed().as_secs_f64();
    publishing.await??;
    bar.finish_and_clear();
    let _ = timed(
        "connection.close",
        connection.close(200, "bench done".into()),
    )
    .await;
    let description = "lapin alone, same broker (the limit)".to_owned();
    Ok(pass(
        Backend::RabbitmqRaw,
        description,
        args.messages,
        seconds,
        latencies,
    ))
}

/// Deletes a bench's scratch queues and exchange.
pub(super) async fn delete_scratch(
    url: &str,
    exchange: &str,
    queues: &[String],
) -> anyhow::Result<()> {
    let connection = timed(
        "connect",
        Connection::connect(url, ConnectionProperties::default()),
    )
    .await?;
    let channel = timed("channel.open", connection.create_channel()).await?;
    for queue in queues {
        timed(
            "queue.delete",
            channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()),
        )
        .await?;
    }
    timed(
        "exchange.delete",
        channel.exchange_delete(exchange.into(), ExchangeDeleteOptions::default()),
    )
    .await?;
    let _ = timed(
        "connection.close",
        connection.close(200, "bench done".into()),
    )
    .await;
    Ok(())
}
