//! The gRPC face of service_persist (`carpetti.persist.v1`): one module per service, each a thin
//! translation between proto messages and the store's domain types. Status mapping lives in
//! `status` only.

use carpetti_handle::GrpcServer;
use carpetti_proto::persist::v1::access_service_server::AccessServiceServer;
use carpetti_proto::persist::v1::change_service_server::ChangeServiceServer;
use carpetti_proto::persist::v1::channel_service_server::ChannelServiceServer;
use carpetti_proto::persist::v1::crm_service_server::CrmServiceServer;
use carpetti_proto::persist::v1::file_service_server::FileServiceServer;
use carpetti_proto::persist::v1::import_service_server::ImportServiceServer;
use carpetti_proto::persist::v1::link_service_server::LinkServiceServer;
use carpetti_proto::persist::v1::order_service_server::OrderServiceServer;
use carpetti_proto::persist::v1::process_report_service_server::ProcessReportServiceServer;
use carpetti_proto::persist::v1::product_service_server::ProductServiceServer;
use carpetti_proto::persist::v1::structure_service_server::StructureServiceServer;
use carpetti_proto::persist::v1::supplier_service_server::SupplierServiceServer;

use crate::store::DynStore;

pub mod access;
pub mod bulk;
pub mod change;
pub mod channel;
pub mod convert;
pub mod crm;
pub mod file;
pub mod gone;
pub mod import;
pub mod link;
pub mod order;
pub mod process;
pub mod product;
pub mod product_bulk;
mod status;
pub mod streams;
pub mod structure;
pub mod supplier;

/// Largest message accepted (bulk chunks of up to `bulk::MAX_CHUNK` items).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Registers every persist service on `server`.
pub fn register(server: GrpcServer, store: DynStore) -> GrpcServer {
    server
        .file_descriptor_set(carpetti_proto::FILE_DESCRIPTOR_SET)
        .add_service(OrderServiceServer::new(order::Orders::new(store.clone())))
        .add_service(CrmServiceServer::new(crm::Crm::new(store.clone())))
        .add_service(AccessServiceServer::new(access::Access::new(store.clone())))
        .add_service(FileServiceServer::new(file::Files::new(store.clone())))
        .add_service(ImportServiceServer::new(import::Imports::new(
            store.clone(),
        )))
        .add_service(ProcessReportServiceServer::new(
            process::ProcessReports::new(store.clone()),
        ))
        .add_service(StructureServiceServer::new(structure::Structure::new(
            store.clone(),
        )))
        .add_service(ChangeServiceServer::new(change::Changes::new(
            store.clone(),
        )))
        .add_service(
            ProductServiceServer::new(product::Products::new(store.clone()))
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(LinkServiceServer::new(link::Links::new(store.clone())))
        .add_service(ChannelServiceServer::new(channel::Channels::new(
            store.clone(),
        )))
        .add_service(
            SupplierServiceServer::new(supplier::Suppliers::new(store))
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
}
