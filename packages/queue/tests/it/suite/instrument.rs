//! One trace from the publisher to the consumer's handler: the instrumented bus stamps the
//! publishing span's `traceparent`, the consumer runtime continues it.
//!
//! The tracing dispatcher is installed process-wide: nextest runs every test in its own process.

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result, ensure};
use async_trait::async_trait;
use carpetti_handle::observe::{
    LogOptions, TraceContext, build_dispatch, current_trace_context, with_trace_context,
};
use carpetti_queue::{
    Bus as _, Envelope, Handler, HandlerError, InstrumentedBus, Subscription, run_consumer,
};
use tokio::sync::Notify;
use tracing::Instrument as _;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

use crate::backends::TestBus;
use crate::support::{Widget, widget};

struct SeesTrace {
    seen: Arc<Mutex<Vec<Option<String>>>>,
    done: Arc<Notify>,
}

#[async_trait]
impl Handler for SeesTrace {
    type Message = Widget;

    async fn handle(&self, _message: Widget, _envelope: &Envelope) -> Result<(), HandlerError> {
        let trace = current_trace_context().map(|ctx| ctx.trace_id_hex());
        self.seen.lock().map(|mut seen| seen.push(trace)).ok();
        self.done.notify_one();
        Ok(())
    }
}

pub async fn trace_context_flows_from_publisher_to_consumer(t: &TestBus) -> Result<()> {
    let options = LogOptions {
        rust_log: false,
        ..LogOptions::default()
    };
    let (dispatch, _guard) = build_dispatch(&options, BoxMakeWriter::new(std::io::sink), false)?;
    // Another test of this process may have set it; then that one (also a registry) serves.
    let _ = tracing::dispatcher::set_global_default(dispatch);

    let bus = InstrumentedBus::new(Arc::clone(&t.bus));
    let topic = t.topic("traced");
    let group = t.group("traced");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Notify::new());
    let handler = SeesTrace {
        seen: Arc::clone(&seen),
        done: Arc::clone(&done),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let consumer_bus = Arc::clone(&t.bus);
    let subscription = Subscription::new(&group, vec![t.pattern("traced")]);
    let consumer = tokio::spawn(async move {
        run_consumer(consumer_bus.as_ref(), subscription, handler, 2, async {
            let _ = stop_rx.await;
        })
        .await
    });
    // Let the group's queue exist before publishing.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let publisher = TraceContext::parse(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        None,
    )
    .context("valid traceparent")?;
    // The message carries no trace of its own: the bus takes the publishing span's.
    let span = with_trace_context(Some(&publisher.traceparent()), None);
    bus.publish(widget(&topic, 1)).instrument(span).await?;

    tokio::time::timeout(crate::support::PATIENCE, done.notified())
        .await
        .context("the handler never ran")?;
    let _ = stop_tx.send(());
    consumer.await??;
    let seen = seen
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    ensure!(
        seen == vec![Some("0af7651916cd43dd8448eb211c80319c".to_owned())],
        "the handler saw traces {seen:?}"
    );
    Ok(())
}
