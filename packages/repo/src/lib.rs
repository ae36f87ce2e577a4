//! carpetti-repo owns the typed gRPC clients of Carpetti's services (the seed's package_repo):
//! each client resolves its service's instances through discovery, spreads calls round-robin over
//! the healthy ones, gives every attempt a deadline, retries **idempotent** calls (methods whose
//! proto says `option idempotency_level = NO_SIDE_EFFECTS`) with jittered exponential back-off on
//! another instance, retries any call whose connection was refused (it never reached a server),
//! keeps a circuit breaker per instance, and emits metrics per target.
//!
//! Clients: [`PersistClient`] (service_persist) now; the other services' clients join as they
//! appear.

mod channel;
mod error;
mod methods;
mod outcome;
mod persist;
mod policy;
mod pool;
mod resolve;

pub use channel::{BalancedChannel, HeaderStamp};
pub use error::RepoError;
pub use methods::{MethodKind, MethodTable};
pub use persist::{PersistChannel, PersistClient};
pub use policy::CallPolicy;
pub use resolve::{ServiceToken, addresses_of};
