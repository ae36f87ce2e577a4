//! Labels and stickers of marketplace orders, kept as files: the bytes in [`FileBlobs`], the
//! metadata (size, sha256, owner = the order) in persist.

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use sha2::{Digest, Sha256};

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::files::FileBlobs;

/// A label kept.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredLabel {
    pub order_external_id: String,
    pub storage_key: String,
    pub content_type: String,
    pub size_bytes: usize,
    pub sha256: String,
}

/// Fetches the label of an order from the marketplace and keeps it.
pub async fn fetch_label(
    persist: &PersistClient,
    ctx: &ChannelContext,
    blobs: &dyn FileBlobs,
    order_external_id: &str,
) -> Result<StoredLabel, MpServiceError> {
    let label = ctx.connector.label(order_external_id).await?;
    let storage_key = format!("labels/{}/{}", ctx.code(), label.file_name());
    blobs.put(&storage_key, &label.bytes).await?;
    let sha256 = hex::encode(Sha256::digest(&label.bytes));
    let order_id = persist
        .orders()
        .get_order(api::GetRequest {
            key: order_external_id.to_owned(),
            scope_id: ctx.channel_id.clone(),
            ..Default::default()
        })
        .await
        .ok()
        .and_then(|o| o.into_inner().meta.map(|m| m.id));
    let meta = cat::FileMeta {
        storage_key: storage_key.clone(),
        name: label.file_name(),
        content_type: label.content_type.clone(),
        size_bytes: i64::try_from(label.bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256.clone(),
        storage: cat::FileStorage::Local as i32,
        owner_kind: order_id.as_ref().map(|_| "order".to_owned()),
        owner_id: order_id,
        ..Default::default()
    };
    let existing = persist
        .files()
        .get_file_meta(api::GetRequest {
            key: storage_key.clone(),
            ..Default::default()
        })
        .await;
    match existing {
        Ok(found) => {
            let mut meta = meta;
            meta.meta = found.into_inner().meta.map(|mut m| {
                m.change_seq = 0;
                m
            });
            persist.files().update_file_meta(meta).await?;
        }
        Err(status) if status.code() == tonic::Code::NotFound => {
            persist.files().create_file_meta(meta).await?;
        }
        Err(status) => return Err(status.into()),
    }
    Ok(StoredLabel {
        order_external_id: order_external_id.to_owned(),
        storage_key,
        content_type: label.content_type,
        size_bytes: label.bytes.len(),
        sha256,
    })
}
