//! What every marketplace connector shares, so that Ozon, Wildberries, Yandex Market and Megamarket
//! look alike to service_mp:
//!
//! - [`Connector`]: the one trait the four connectors implement — dictionaries, cards in batches
//!   with their asynchronous outcome, prices, stocks, what the marketplace holds, orders, labels;
//! - the marketplace-neutral types it speaks ([`Card`], [`CardState`], [`MarketOrder`] …), all in
//!   our own words, already mapped to the marketplace's category and attribute ids;
//! - [`dictionary`]: a card checked against the marketplace's category attributes before it is
//!   sent (a required attribute missing is reported, not sent);
//! - [`transport`]: every HTTP call with a timeout, a rate limit per method, retries that honour
//!   `Retry-After` / 429 / 420, and a circuit breaker per marketplace account;
//! - [`sandbox`]: the toolkit of the loopback sandboxes (request log, scripted faults, serving).

pub mod card;
pub mod connector;
pub mod credentials;
pub mod dictionary;
mod error;
pub mod order;
pub mod sandbox;
pub mod transport;

pub use card::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, Dimensions, ItemOutcome,
    ListingIds, PriceUpdate, Problem, RemoteOffer, StockUpdate, Submission,
};
pub use connector::{BatchLimits, Connector, Marketplace};
pub use credentials::Credentials;
pub use dictionary::{
    AttributeKind, CategoryAttributes, DictionaryValue, MarketAttribute, MarketCategory,
};
pub use error::MpError;
pub use order::{Label, MarketOrder, MarketOrderLine};
pub use transport::{Call, Reply, RetryPolicy, Transport};
