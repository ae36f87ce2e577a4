// File metadata, compiled once per backend (see store/mod.rs).

use async_trait::async_trait;
use sqlx::Row;

use crate::error::StoreResult;
use crate::model::file::{FileMeta, FileStorage};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::FileStore;

const FILE_COLUMNS: &str = "id, change_seq, created_at, updated_at, storage_key, name, \
     content_type, size_bytes, sha256, storage, owner_kind, owner_id";

fn file_from_row(row: &DbRow) -> StoreResult<Record<FileMeta>> {
    let storage: String = row.try_get("storage")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: FileMeta {
            storage_key: row.try_get("storage_key")?,
            name: row.try_get("name")?,
            content_type: row.try_get("content_type")?,
            size_bytes: row.try_get("size_bytes")?,
            sha256: row.try_get("sha256")?,
            storage: stored_enum(FileStorage::parse(&storage), "file.storage")?,
            owner_kind: row.try_get("owner_kind")?,
            owner_id: row.try_get("owner_id")?,
        },
    })
}

async fn write_file(tx: &mut Tx, meta: &Meta, value: &FileMeta, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO file (id, change_seq, created_at, updated_at, storage_key, name, content_type, \
         size_bytes, sha256, storage, owner_kind, owner_id, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE file SET change_seq = $2, created_at = $3, updated_at = $4, storage_key = $5, \
         name = $6, content_type = $7, size_bytes = $8, sha256 = $9, storage = $10, \
         owner_kind = $11, owner_id = $12, search_text = $13 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(&value.storage_key)
        .bind(&value.name)
        .bind(&value.content_type)
        .bind(value.size_bytes)
        .bind(&value.sha256)
        .bind(value.storage.as_str())
        .bind(&value.owner_kind)
        .bind(value.owner_id)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("file", value.storage_key.as_str()))?;
    Ok(())
}

#[async_trait]
impl FileStore for Backend {
    async fn create_file_meta(&self, value: FileMeta) -> StoreResult<Record<FileMeta>> {
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_file(&mut tx, &meta, &value, true).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn get_file_meta(&self, lookup: &Lookup) -> StoreResult<Record<FileMeta>> {
        let row = fetch_one_by(
            &self.read,
            "file",
            lookup,
            &format!("SELECT {FILE_COLUMNS} FROM file WHERE id = $1"),
            Some(&format!(
                "SELECT {FILE_COLUMNS} FROM file WHERE storage_key = $1"
            )),
            None,
        )
        .await?;
        file_from_row(&row)
    }

    async fn update_file_meta(
        &self,
        target: Target,
        value: FileMeta,
    ) -> StoreResult<Record<FileMeta>> {
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "file", "file", target).await?;
        let meta = stamped(old, seq);
        write_file(&mut tx, &meta, &value, false).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn delete_file_meta(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(&self.write, "file", "file", "storage_key", target).await
    }

    async fn list_file_metas(&self, filter: &ListFilter) -> StoreResult<Page<FileMeta>> {
        filter.allow_only(&["text"])?;
        let mut qb = start_list(FILE_COLUMNS, "file", filter);
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "search_text", text);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(file_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }
}
