//! `carpetti.persist.v1.FileService`: metadata of stored files.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::file_service_server::FileService;
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::file::{FileMeta, FileStorage};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Files {
    store: DynStore,
}

impl Files {
    /// The service over `store`.
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn storage(raw: i32) -> Result<FileStorage, StoreError> {
    match pb::FileStorage::try_from(raw) {
        Ok(pb::FileStorage::Local) => Ok(FileStorage::Local),
        Ok(pb::FileStorage::S3) => Ok(FileStorage::S3),
        Ok(pb::FileStorage::Unspecified) | Err(_) => {
            Err(StoreError::invalid("storage", "must be one of LOCAL, S3"))
        }
    }
}

fn storage_pb(storage: FileStorage) -> pb::FileStorage {
    match storage {
        FileStorage::Local => pb::FileStorage::Local,
        FileStorage::S3 => pb::FileStorage::S3,
    }
}

/// Parses a file meta from the wire (the rules of [`FileMeta::validate`] are checked by the
/// store).
pub fn file_from_pb(p: pb::FileMeta) -> Result<FileMeta, StoreError> {
    Ok(FileMeta {
        storage_key: p.storage_key.trim().to_owned(),
        name: p.name.trim().to_owned(),
        content_type: p.content_type.trim().to_owned(),
        size_bytes: p.size_bytes,
        sha256: p.sha256.trim().to_owned(),
        storage: storage(p.storage)?,
        owner_kind: opt_text(p.owner_kind),
        owner_id: convert::opt_id("owner_id", p.owner_id.as_deref())?,
    })
}

/// A stored file meta for the wire.
pub fn file_to_pb(r: Record<FileMeta>) -> pb::FileMeta {
    let v = r.value;
    pb::FileMeta {
        meta: Some(convert::meta(&r.meta)),
        storage_key: v.storage_key,
        name: v.name,
        content_type: v.content_type,
        size_bytes: v.size_bytes,
        sha256: v.sha256,
        storage: storage_pb(v.storage).into(),
        owner_kind: v.owner_kind,
        owner_id: v.owner_id.map(|id| id.to_string()),
    }
}

#[tonic::async_trait]
impl FileService for Files {
    async fn create_file_meta(
        &self,
        request: Request<pb::FileMeta>,
    ) -> Result<Response<pb::FileMeta>, Status> {
        let value = file_from_pb(request.into_inner())?;
        Ok(Response::new(file_to_pb(
            self.store.create_file_meta(value).await?,
        )))
    }

    async fn get_file_meta(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::FileMeta>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(file_to_pb(
            self.store.get_file_meta(&lookup).await?,
        )))
    }

    async fn update_file_meta(
        &self,
        request: Request<pb::FileMeta>,
    ) -> Result<Response<pb::FileMeta>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = file_from_pb(p)?;
        Ok(Response::new(file_to_pb(
            self.store.update_file_meta(target, value).await?,
        )))
    }

    async fn delete_file_meta(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_file_meta(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_file_metas(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListFileMetasResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_file_metas(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListFileMetasResponse {
            items: page.items.into_iter().map(file_to_pb).collect(),
            next_cursor,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<FileMeta, StoreError>) -> String {
        match result {
            Err(StoreError::InvalidArgument { field, .. }) => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn valid() -> pb::FileMeta {
        pb::FileMeta {
            storage_key: "feeds/acme.xml".into(),
            name: "acme.xml".into(),
            content_type: "application/xml".into(),
            size_bytes: 10,
            sha256: "0".repeat(64),
            storage: pb::FileStorage::Local.into(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_input_names_the_field() {
        let parsed = file_from_pb(valid()).expect("valid");
        assert_eq!(parsed.storage, FileStorage::Local);
        assert!(parsed.validate().is_ok());
        assert_eq!(
            field(file_from_pb(pb::FileMeta {
                storage: 0,
                ..valid()
            })),
            "storage"
        );
        assert_eq!(
            field(file_from_pb(pb::FileMeta {
                storage: 99,
                ..valid()
            })),
            "storage"
        );
        let bad_owner = pb::FileMeta {
            owner_kind: Some("product".into()),
            owner_id: Some("x".into()),
            ..valid()
        };
        assert_eq!(field(file_from_pb(bad_owner)), "owner_id");
        let blank_kind = pb::FileMeta {
            owner_kind: Some(" ".into()),
            ..valid()
        };
        assert_eq!(
            file_from_pb(blank_kind).expect("blank = none").owner_kind,
            None
        );
    }

    #[test]
    fn round_trip() {
        let owner = uuid::Uuid::now_v7();
        let value = file_from_pb(pb::FileMeta {
            owner_kind: Some("product".into()),
            owner_id: Some(owner.to_string()),
            storage: pb::FileStorage::S3.into(),
            ..valid()
        })
        .expect("valid");
        let meta = crate::model::Meta {
            id: uuid::Uuid::now_v7(),
            change_seq: 3,
            created_at: carpetti_util::now(),
            updated_at: carpetti_util::now(),
        };
        let wire = file_to_pb(Record {
            meta,
            value: value.clone(),
            refs: Default::default(),
        });
        assert_eq!(wire.owner_id, Some(owner.to_string()));
        assert_eq!(file_from_pb(wire).expect("valid"), value);
    }
}
