//! A channel object's life: the poll loop (seed diagram 4, "Pool"). Alone, the instance polls;
//! in a cluster it polls only while it holds the channel's lease and otherwise shows the states
//! the holder publishes. Polls never overlap (one sequential loop), their interval adapts to the
//! service statistics ([`Pacing`]), and polling stops when the instance has ended.

use std::sync::Arc;
use std::time::{Duration, Instant};

use carpetti_proto::process_adapter::v1::ChannelState;
use tokio::sync::watch;
use tokio::time::sleep_until;
use tokio_util::sync::CancellationToken;

use super::poller::{Poller, Tick, now_ms};
use super::view::{Failed, Ready, View};
use crate::cluster::Cluster;
use crate::engine::ProcessEngine;
use crate::key::BusinessKey;
use crate::metrics as m;
use crate::protocol::ServerMessage;
use crate::stats::{Pacing, PollingChannels};

/// What every channel's loop shares.
pub(crate) struct DriverContext {
    pub engine: Arc<dyn ProcessEngine>,
    pub pacing: Pacing,
    pub cluster: Option<Arc<Cluster>>,
    pub polling: PollingChannels,
    pub shutdown: CancellationToken,
}

/// Runs one channel until `stop`.
pub(crate) async fn drive(
    ctx: Arc<DriverContext>,
    key: BusinessKey,
    view: watch::Sender<View>,
    mut remote: watch::Receiver<Option<ChannelState>>,
    stop: CancellationToken,
) {
    let mut poller = Poller::new(key.clone());
    let mut leading = false;
    let mut interval = ctx.pacing.min;
    let mut next_poll = Instant::now();
    let mut next_lease = Instant::now();
    let mut last_moved = Instant::now();
    while !stop.is_cancelled() {
        let now = Instant::now();
        if let Some(cluster) = &ctx.cluster
            && now >= next_lease
        {
            let lead = match cluster.lead(&key).await {
                Ok(lead) => lead,
                Err(e) => {
                    // Better twice polled than frozen: without the lease store, poll locally.
                    tracing::warn!(business_key = %key, error = %e, "lease store unavailable; polling locally");
                    true
                }
            };
            if lead && !leading {
                if let Some(state) = cluster.last_state(&key).await {
                    poller.adopt_seq(state.seq);
                }
                next_poll = Instant::now();
            }
            set_leading(&ctx, &mut leading, lead);
            if !lead
                && matches!(*view.borrow(), View::Pending)
                && let Some(state) = cluster.last_state(&key).await
            {
                // Polled elsewhere: show the holder's latest state at once.
                follow(&ctx, &key, &view, &mut poller, state).await;
            }
            next_lease = Instant::now() + cluster.renew_every();
        } else if ctx.cluster.is_none() && !leading {
            set_leading(&ctx, &mut leading, true);
        }

        if leading && !poller.ended && Instant::now() >= next_poll {
            let tick = poller.tick(ctx.engine.as_ref()).await;
            let since_moved = if tick.moved {
                last_moved = Instant::now();
                Duration::ZERO
            } else {
                last_moved.elapsed()
            };
            publish(&ctx, &key, &view, tick).await;
            interval = if poller.resolved() {
                ctx.pacing.next(
                    interval,
                    since_moved,
                    ctx.polling.get(),
                    ctx.engine.stats().latency(),
                )
            } else {
                // An unknown key (or an engine down before the lookup): look again, backing off.
                (interval * 2).clamp(Duration::from_secs(1), Duration::from_secs(30))
            };
            m::poll_interval(interval);
            next_poll = Instant::now() + interval;
        }
        // Once the final cursor is out nothing is polled any more; the lease stays ours while
        // subscribers remain, so no other instance starts polling an ended instance.

        let wake = match (&ctx.cluster, leading && !poller.ended) {
            (None, true) => next_poll,
            (None, false) => Instant::now() + Duration::from_secs(3600),
            (Some(_), true) => next_poll.min(next_lease),
            (Some(_), false) => next_lease,
        };
        tokio::select! {
            () = stop.cancelled() => break,
            () = sleep_until(wake.into()) => {}
            changed = remote.changed(), if !leading => {
                if changed.is_err() {
                    break;
                }
                let state = remote.borrow_and_update().clone();
                if let Some(state) = state {
                    follow(&ctx, &key, &view, &mut poller, state).await;
                }
            }
        }
    }
    if leading {
        set_leading(&ctx, &mut leading, false);
        if let Some(cluster) = &ctx.cluster {
            cluster.resign(&key).await;
        }
    }
}

fn set_leading(ctx: &DriverContext, leading: &mut bool, now: bool) {
    if now != *leading {
        if now {
            ctx.polling.add();
        } else {
            ctx.polling.remove();
        }
        *leading = now;
        m::gauge(m::POLLING, ctx.polling.get());
    }
}

/// Shows a tick's new view locally and, in a cluster, to the other instances.
async fn publish(ctx: &DriverContext, key: &BusinessKey, view: &watch::Sender<View>, tick: Tick) {
    let Some(new) = tick.view else {
        return;
    };
    view.send_replace(new.clone());
    let Some(cluster) = &ctx.cluster else {
        return;
    };
    if let Some((definition_id, xml)) = &tick.fetched_schema {
        cluster.remember_schema(definition_id, xml).await;
    }
    let mut state = ChannelState {
        business_key: key.to_string(),
        holder: cluster.instance_id().to_owned(),
        seq: new.seq(),
        observed_at_ms: now_ms(),
        ..Default::default()
    };
    match &new {
        View::Pending => return,
        View::Failed(f) => state.error_json = f.frame.as_str().to_owned(),
        View::Ready(r) => {
            state.process_instance_id = r.process_instance_id.to_string();
            state.definition_id = r.definition_id.to_string();
            state.cursor_json = r
                .cursor
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
        }
    }
    if let Err(e) = cluster.publish(&state).await {
        tracing::warn!(business_key = %key, error = %e, "could not share a channel state");
    }
}

/// Shows a state the holder published (newer than what this instance shows).
async fn follow(
    ctx: &DriverContext,
    key: &BusinessKey,
    view: &watch::Sender<View>,
    poller: &mut Poller,
    state: ChannelState,
) {
    let current = view.borrow().clone();
    if state.seq <= current.seq() {
        return;
    }
    poller.adopt_seq(state.seq);
    let observed = observed_instant(state.observed_at_ms);
    let new = if !state.error_json.is_empty() {
        View::Failed(Arc::new(Failed {
            frame: state.error_json.into(),
            seq: state.seq,
        }))
    } else {
        let schema = match &current {
            View::Ready(r) if *r.definition_id == *state.definition_id => r.schema.clone(),
            _ => {
                let Some(cluster) = &ctx.cluster else {
                    return;
                };
                match cluster
                    .schema(&state.definition_id, ctx.engine.clone())
                    .await
                {
                    Ok(xml) => ServerMessage::Schema {
                        business_key: key.as_str(),
                        process_instance_id: &state.process_instance_id,
                        definition_id: &state.definition_id,
                        xml: &xml,
                    }
                    .frame(),
                    Err(e) => {
                        tracing::warn!(business_key = %key, error = %e.0, "no schema for a shared state");
                        return;
                    }
                }
            }
        };
        View::Ready(Arc::new(Ready {
            process_instance_id: Arc::from(state.process_instance_id.as_str()),
            definition_id: Arc::from(state.definition_id.as_str()),
            schema,
            cursor: (!state.cursor_json.is_empty()).then(|| state.cursor_json.into()),
            seq: state.seq,
            observed,
        }))
    };
    view.send_replace(new);
}

/// The local instant corresponding to a wall-clock time in ms (clocks of one cluster agree well
/// enough for a latency metric).
fn observed_instant(at_ms: i64) -> Option<Instant> {
    let age = now_ms().saturating_sub(at_ms);
    let age = Duration::from_millis(u64::try_from(age).ok()?);
    Instant::now().checked_sub(age)
}
