//! The instances of one service: a lazily connected tonic channel and a circuit breaker per
//! instance, kept in step with what discovery reports, picked round-robin.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use carpetti_util::breaker::CircuitBreaker;
use tokio::sync::watch;
use tonic::transport::{Channel, Endpoint};

use crate::{CallPolicy, RepoError};

/// One instance of a service.
#[derive(Debug)]
pub(crate) struct Instance {
    pub(crate) address: SocketAddr,
    pub(crate) channel: Channel,
    pub(crate) breaker: CircuitBreaker,
}

pub(crate) struct Pool {
    service: String,
    policy: CallPolicy,
    addresses: watch::Receiver<Vec<SocketAddr>>,
    instances: Mutex<Vec<Arc<Instance>>>,
    next: AtomicUsize,
}

impl Pool {
    pub(crate) fn new(
        service: String,
        policy: CallPolicy,
        addresses: watch::Receiver<Vec<SocketAddr>>,
    ) -> Self {
        Self {
            service,
            policy,
            addresses,
            instances: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
        }
    }

    pub(crate) fn service(&self) -> &str {
        &self.service
    }

    /// The instances in the order to try them for the next attempt: round-robin, those not yet
    /// tried in this call first. The caller takes the first whose breaker grants a permit.
    ///
    /// With no instance known yet (discovery's first answer may still be on its way) it waits up
    /// to one attempt's deadline for one to appear.
    pub(crate) async fn candidates(
        &self,
        tried: &[SocketAddr],
    ) -> Result<Vec<Arc<Instance>>, RepoError> {
        let mut instances = self.current()?;
        if instances.is_empty() {
            let mut addresses = self.addresses.clone();
            let appeared = tokio::time::timeout(
                self.policy.attempt_timeout,
                addresses.wait_for(|a| !a.is_empty()),
            )
            .await;
            if matches!(appeared, Ok(Ok(_))) {
                instances = self.current()?;
            }
        }
        if instances.is_empty() {
            return Err(RepoError::NoInstance {
                service: self.service.clone(),
            });
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = instances.len();
        let rotated = (0..n).map(|i| Arc::clone(&instances[(start + i) % n]));
        let (fresh, again): (Vec<_>, Vec<_>) =
            rotated.partition(|instance| !tried.contains(&instance.address));
        Ok(fresh.into_iter().chain(again).collect())
    }

    /// The instances, rebuilt when discovery reported a change (existing ones keep their
    /// connections and breakers).
    fn current(&self) -> Result<Vec<Arc<Instance>>, RepoError> {
        let mut instances = self
            .instances
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let addresses = self.addresses.borrow().clone();
        let same = instances.len() == addresses.len()
            && instances
                .iter()
                .zip(&addresses)
                .all(|(i, a)| i.address == *a);
        if !same {
            let mut known: HashMap<SocketAddr, Arc<Instance>> =
                instances.drain(..).map(|i| (i.address, i)).collect();
            for address in addresses {
                let instance = match known.remove(&address) {
                    Some(existing) => existing,
                    None => Arc::new(self.connect(address)?),
                };
                instances.push(instance);
            }
        }
        Ok(instances.clone())
    }

    fn connect(&self, address: SocketAddr) -> Result<Instance, RepoError> {
        let endpoint = Endpoint::from_shared(format!("http://{address}"))
            .map_err(|err| RepoError::Address {
                address: address.to_string(),
                reason: err.to_string(),
            })?
            .connect_timeout(self.policy.connect_timeout)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(std::time::Duration::from_secs(30))
            .keep_alive_while_idle(true);
        Ok(Instance {
            address,
            channel: endpoint.connect_lazy(),
            breaker: CircuitBreaker::new(
                format!("{}@{address}", self.service),
                self.policy.breaker,
            ),
        })
    }
}
