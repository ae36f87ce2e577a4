//! The gRPC face of service_persist (`carpetti.persist.v1`): one module per service, each a thin
//! translation between proto messages and the store's domain types. Status mapping lives in
//! `status` only.

use carpetti_handle::GrpcServer;
use carpetti_proto::persist::v1::supplier_service_server::SupplierServiceServer;

use crate::store::DynStore;

pub mod bulk;
pub mod convert;
mod status;
pub mod supplier;

/// Largest message accepted (bulk chunks of up to `bulk::MAX_CHUNK` items).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Registers every persist service on `server`.
pub fn register(server: GrpcServer, store: DynStore) -> GrpcServer {
    server
        .file_descriptor_set(carpetti_proto::FILE_DESCRIPTOR_SET)
        .add_service(
            SupplierServiceServer::new(supplier::Suppliers::new(store))
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
}
