//! Carpetti's protobuf models and the tonic/prost code generated from them.
//!
//! - [`catalog::v1`]: the entity messages (`proto/carpetti/catalog/v1`), the domain model of
//!   `docs/domain.md` on the wire.
//! - [`persist::v1`]: the service_persist gRPC services (`proto/carpetti/persist/v1`): CRUD + List
//!   per entity, bulk upsert streams, the change feed. Clients are in `*_service_client`, servers
//!   in `*_service_server`.
//! - [`provider::v1`]: service_provider's gRPC service (imports, uploads, reports) and its queue
//!   messages (`ImportRequested`, `SupplierItemsChanged`).
//! - [`FILE_DESCRIPTOR_SET`]: the encoded descriptors of all of them (for gRPC reflection).
//!
//! The `.proto` files are compiled by `build.rs` with protox: no system `protoc` is needed.

/// Entity messages (package `carpetti.catalog.v1`).
pub mod catalog {
    /// Version 1 of the entity messages.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        clippy::unwrap_used,
        rust_2018_idioms,
        missing_docs
    )]
    pub mod v1 {
        tonic::include_proto!("carpetti.catalog.v1");
    }
}

/// service_persist gRPC services (package `carpetti.persist.v1`).
pub mod persist {
    /// Version 1 of the service_persist services.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        clippy::unwrap_used,
        rust_2018_idioms,
        missing_docs
    )]
    pub mod v1 {
        tonic::include_proto!("carpetti.persist.v1");
    }
}

/// service_provider gRPC service and queue messages (package `carpetti.provider.v1`).
pub mod provider {
    /// Version 1 of service_provider's API and events.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        clippy::unwrap_used,
        rust_2018_idioms,
        missing_docs
    )]
    pub mod v1 {
        tonic::include_proto!("carpetti.provider.v1");
    }
}

/// service_mp queue messages (package `carpetti.mp.v1`).
pub mod mp {
    /// Version 1 of service_mp's events.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        clippy::unwrap_used,
        rust_2018_idioms,
        missing_docs
    )]
    pub mod v1 {
        tonic::include_proto!("carpetti.mp.v1");
    }
}

/// process_adapter queue messages (package `carpetti.process_adapter.v1`).
pub mod process_adapter {
    /// Version 1 of the process adapter's cluster messages.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        clippy::unwrap_used,
        rust_2018_idioms,
        missing_docs
    )]
    pub mod v1 {
        tonic::include_proto!("carpetti.process_adapter.v1");
    }
}

/// The encoded `google.protobuf.FileDescriptorSet` of every Carpetti `.proto` file (and the
/// well-known types they import), with source info; feed it to `tonic-reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/carpetti_descriptor.bin"));
