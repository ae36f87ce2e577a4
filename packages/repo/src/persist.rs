//! The typed client of service_persist: one [`BalancedChannel`] shared by all twelve of its gRPC
//! services.

use std::net::SocketAddr;
use std::sync::Arc;

use carpetti_handle::observe::{ClientMetrics, ClientMetricsLayer, ClientTrace, ClientTraceLayer};
use carpetti_proto::persist::v1 as pb;
use tokio::sync::watch;
use tower::Layer;

use crate::{BalancedChannel, CallPolicy, HeaderStamp};

/// The discovery name of service_persist.
pub const PERSIST_SERVICE: &str = "persist";

/// The channel persist's generated clients run on: per-call metrics (final status from the
/// trailers) around the W3C trace-context stamp around the balanced, retrying channel.
pub type PersistChannel = ClientMetrics<ClientTrace<BalancedChannel>>;

/// service_persist's API over a balanced, retrying channel. Cheap to clone.
#[derive(Clone)]
pub struct PersistClient {
    channel: PersistChannel,
    max_message_bytes: usize,
}

macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident => $module:ident :: $client:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> pb::$module::$client<PersistChannel> {
                pb::$module::$client::new(self.channel.clone())
                    .max_decoding_message_size(self.max_message_bytes)
                    .max_encoding_message_size(self.max_message_bytes)
            }
        )*
    };
}

impl PersistClient {
    /// A client of the instances `addresses` reports (discovery's watch for `persist`).
    pub fn new(
        addresses: watch::Receiver<Vec<SocketAddr>>,
        policy: CallPolicy,
        stamps: Vec<Arc<dyn HeaderStamp>>,
    ) -> Self {
        let max_message_bytes = policy.max_message_bytes;
        Self {
            channel: ClientMetricsLayer::new(PERSIST_SERVICE).layer(ClientTraceLayer.layer(
                BalancedChannel::new(PERSIST_SERVICE, addresses, policy, stamps),
            )),
            max_message_bytes,
        }
    }

    /// A client of the `persist` instances `discovery` reports healthy.
    pub fn discover(
        discovery: &dyn carpetti_handle::discovery::Discovery,
        policy: CallPolicy,
        stamps: Vec<Arc<dyn HeaderStamp>>,
    ) -> Self {
        Self::new(
            crate::addresses_of(discovery, PERSIST_SERVICE),
            policy,
            stamps,
        )
    }

    /// The channel underneath (for a generated client not listed here).
    pub fn channel(&self) -> &PersistChannel {
        &self.channel
    }

    accessors! {
        /// Suppliers and supplier items (incl. the bulk upsert stream).
        suppliers => supplier_service_client::SupplierServiceClient;
        /// Products (incl. the bulk upsert stream).
        products => product_service_client::ProductServiceClient;
        /// Categories, attributes, options, groups, families, values, completeness.
        structure => structure_service_client::StructureServiceClient;
        /// Association types and links.
        links => link_service_client::LinkServiceClient;
        /// Channels, mappings, listings, the publication outbox.
        channels => channel_service_client::ChannelServiceClient;
        /// Orders and order lines.
        orders => order_service_client::OrderServiceClient;
        /// Customers and interactions.
        crm => crm_service_client::CrmServiceClient;
        /// Users and roles.
        access => access_service_client::AccessServiceClient;
        /// File metadata.
        files => file_service_client::FileServiceClient;
        /// Import runs and their item reports.
        imports => import_service_client::ImportServiceClient;
        /// Process reports.
        process_reports => process_report_service_client::ProcessReportServiceClient;
        /// The change feed.
        changes => change_service_client::ChangeServiceClient;
    }
}
