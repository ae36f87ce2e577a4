//! What the client may do again: read from the protos' own descriptors, not from method names.
//! A method marked `option idempotency_level = NO_SIDE_EFFECTS` (or `IDEMPOTENT`) and not
//! client-streaming is retried on any transient failure; every other method only when the
//! request provably never left this process (the connection was refused).

use std::collections::HashMap;

use prost::Message;
use prost_types::FileDescriptorSet;
use prost_types::method_options::IdempotencyLevel;

/// How one gRPC method may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodKind {
    /// Safe to send again after any transient failure.
    pub idempotent: bool,
    /// The request body is a stream: it cannot be buffered, so it is never sent twice.
    pub client_streaming: bool,
}

impl MethodKind {
    /// What a method missing from the descriptors is treated as: unary, not idempotent.
    pub const UNKNOWN: MethodKind = MethodKind {
        idempotent: false,
        client_streaming: false,
    };
}

/// Every method of the descriptor set by its HTTP/2 path (`/carpetti.persist.v1.SupplierService/GetSupplier`).
#[derive(Debug, Clone, Default)]
pub struct MethodTable {
    methods: HashMap<String, MethodKind>,
}

impl MethodTable {
    /// The methods of Carpetti's own protos.
    pub fn carpetti() -> Self {
        Self::from_descriptor_set(carpetti_proto::FILE_DESCRIPTOR_SET)
    }

    /// The methods of an encoded `FileDescriptorSet`; an undecodable set yields an empty table
    /// (every method then counts as [`MethodKind::UNKNOWN`], the safe side).
    pub fn from_descriptor_set(encoded: &[u8]) -> Self {
        let Ok(set) = FileDescriptorSet::decode(encoded) else {
            tracing::warn!("descriptor set does not decode; no gRPC call will be retried");
            return Self::default();
        };
        let mut methods = HashMap::new();
        for file in &set.file {
            let package = file.package();
            for service in &file.service {
                for method in &service.method {
                    let level = method
                        .options
                        .as_ref()
                        .map_or(IdempotencyLevel::IdempotencyUnknown, |o| {
                            o.idempotency_level()
                        });
                    let path = if package.is_empty() {
                        format!("/{}/{}", service.name(), method.name())
                    } else {
                        format!("/{package}.{}/{}", service.name(), method.name())
                    };
                    methods.insert(
                        path,
                        MethodKind {
                            idempotent: matches!(
                                level,
                                IdempotencyLevel::NoSideEffects | IdempotencyLevel::Idempotent
                            ),
                            client_streaming: method.client_streaming(),
                        },
                    );
                }
            }
        }
        Self { methods }
    }

    pub fn kind(&self, path: &str) -> MethodKind {
        self.methods
            .get(path)
            .copied()
            .unwrap_or(MethodKind::UNKNOWN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persist_methods_are_classified_from_their_options() {
        let table = MethodTable::carpetti();
        let get = table.kind("/carpetti.persist.v1.SupplierService/GetSupplier");
        assert!(get.idempotent && !get.client_streaming);
        let list = table.kind("/carpetti.persist.v1.ChangeService/ListChanges");
        assert!(list.idempotent);
        let create = table.kind("/carpetti.persist.v1.SupplierService/CreateSupplier");
        assert!(!create.idempotent && !create.client_streaming);
        let bulk = table.kind("/carpetti.persist.v1.SupplierService/UpsertSupplierItems");
        assert!(!bulk.idempotent && bulk.client_streaming);
        assert_eq!(table.kind("/nope/Nope"), MethodKind::UNKNOWN);
    }
}
