// Channels and the `ChannelStore` impl, compiled once per backend (see store/mod.rs). Mappings live
// in `channel_map.rs`, listings in `channel_listing.rs`, the outbox in `channel_outbox.rs`.

use async_trait::async_trait;
use carpetti_util::{Code, Currency};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::channel::{
    Channel, ChannelAttributeMap, ChannelCategoryMap, ChannelKind, Listing, OutboxEntry,
};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::ChannelStore;

const COLUMNS: &str =
    "id, change_seq, created_at, updated_at, code, name, kind, locale, currency, active, settings";

fn from_row(row: &DbRow) -> StoreResult<Record<Channel>> {
    let code: String = row.try_get("code")?;
    let kind: String = row.try_get("kind")?;
    let currency: String = row.try_get("currency")?;
    let settings: Json<serde_json::Value> = row.try_get("settings")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: Channel {
            code: stored_enum(Code::parse(&code), "channel.code")?,
            name: row.try_get("name")?,
            kind: stored_enum(ChannelKind::parse(&kind), "channel.kind")?,
            locale: row.try_get("locale")?,
            currency: stored_enum(Currency::parse(&currency), "channel.currency")?,
            active: row.try_get("active")?,
            settings: settings.0,
        },
    })
}

async fn write(tx: &mut Tx, meta: &Meta, value: &Channel, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO channel (id, change_seq, created_at, updated_at, code, name, kind, locale, \
         currency, active, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    } else {
        "UPDATE channel SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, name = $6, \
         kind = $7, locale = $8, currency = $9, active = $10, settings = $11 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(value.name.trim())
        .bind(value.kind.as_str())
        .bind(value.locale.trim())
        .bind(value.currency.as_str())
        .bind(value.active)
        .bind(Json(&value.settings))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("channel", value.code.as_str()))?;
    Ok(())
}

/// Parses the id in the key of a scoped lookup (`ScopedKey(channel_id, "<uuid>")`).
pub(crate) fn key_id(key: &str, what: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(key.trim())
        .map_err(|_| StoreError::invalid("key", format!("{key:?} is not a {what} id")))
}

#[async_trait]
impl ChannelStore for Backend {
    async fn create_channel(&self, value: Channel) -> StoreResult<Record<Channel>> {
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write(&mut tx, &meta, &value, true).await?;
        let stored = read_back(&mut tx, COLUMNS, "channel", meta.id, from_row).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_channel(&self, lookup: &Lookup) -> StoreResult<Record<Channel>> {
        let row = fetch_one_by(
            &self.read,
            "channel",
            lookup,
            &format!("SELECT {COLUMNS} FROM channel WHERE id = $1"),
            Some(&format!("SELECT {COLUMNS} FROM channel WHERE code = $1")),
            None,
        )
        .await?;
        from_row(&row)
    }

    async fn update_channel(&self, target: Target, value: Channel) -> StoreResult<Record<Channel>> {
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "channel", "channel", target).await?;
        let meta = stamped(old, seq);
        write(&mut tx, &meta, &value, false).await?;
        let stored = read_back(&mut tx, COLUMNS, "channel", meta.id, from_row).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_channel(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(&self.write, "channel", "channel", "code", target).await
    }

    async fn list_channels(&self, filter: &ListFilter) -> StoreResult<Page<Channel>> {
        filter.allow_only(&["text"])?;
        let Some(text) = &filter.text else {
            let mut qb = start_list(COLUMNS, "channel", filter);
            finish_list(&mut qb, filter);
            let rows = qb.build().fetch_all(&self.read).await?;
            let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
            return Ok(into_page(items, filter));
        };
        // Channels are few: match code and name with the shared normalization (case, ё = е) in
        // Rust, so both backends agree on non-ASCII names.
        let mut qb = start_list(COLUMNS, "channel", filter);
        qb.push(" ORDER BY change_seq");
        let rows = qb.build().fetch_all(&self.read).await?;
        let mut items = Vec::new();
        for row in &rows {
            let record = from_row(row)?;
            let haystack = carpetti_util::search_text([
                record.value.code.as_str(),
                record.value.name.as_str(),
            ]);
            if haystack.contains(text.as_str()) {
                items.push(record);
                if items.len() > filter.limit as usize {
                    break;
                }
            }
        }
        Ok(into_page(items, filter))
    }

    async fn create_channel_category_map(
        &self,
        value: ChannelCategoryMap,
    ) -> StoreResult<Record<ChannelCategoryMap>> {
        super::channel_map::create_category_map(self, value).await
    }

    async fn get_channel_category_map(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ChannelCategoryMap>> {
        super::channel_map::get_category_map(self, lookup).await
    }

    async fn update_channel_category_map(
        &self,
        target: Target,
        value: ChannelCategoryMap,
    ) -> StoreResult<Record<ChannelCategoryMap>> {
        super::channel_map::update_category_map(self, target, value).await
    }

    async fn delete_channel_category_map(&self, target: Target) -> StoreResult<i64> {
        let key = super::channel_map::CATEGORY_MAP_KEY;
        delete_with_tombstone(
            &self.write,
            "channel_category_map",
            "channel category map",
            key,
            target,
        )
        .await
    }

    async fn list_channel_category_maps(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ChannelCategoryMap>> {
        super::channel_map::list_category_maps(self, filter).await
    }

    async fn create_channel_attribute_map(
        &self,
        value: ChannelAttributeMap,
    ) -> StoreResult<Record<ChannelAttributeMap>> {
        super::channel_map::create_attribute_map(self, value).await
    }

    async fn get_channel_attribute_map(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ChannelAttributeMap>> {
        super::channel_map::get_attribute_map(self, lookup).await
    }

    async fn update_channel_attribute_map(
        &self,
        target: Target,
        value: ChannelAttributeMap,
    ) -> StoreResult<Record<ChannelAttributeMap>> {
        super::channel_map::update_attribute_map(self, target, value).await
    }

    async fn delete_channel_attribute_map(&self, target: Target) -> StoreResult<i64> {
        let key = super::channel_map::ATTRIBUTE_MAP_KEY;
        delete_with_tombstone(
            &self.write,
            "channel_attribute_map",
            "channel attribute map",
            key,
            target,
        )
        .await
    }

    async fn list_channel_attribute_maps(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ChannelAttributeMap>> {
        super::channel_map::list_attribute_maps(self, filter).await
    }

    async fn create_listing(&self, value: Listing) -> StoreResult<Record<Listing>> {
        super::channel_listing::create(self, value).await
    }

    async fn get_listing(&self, lookup: &Lookup) -> StoreResult<Record<Listing>> {
        super::channel_listing::get(self, lookup).await
    }

    async fn update_listing(&self, target: Target, value: Listing) -> StoreResult<Record<Listing>> {
        super::channel_listing::update(self, target, value).await
    }

    async fn delete_listing(&self, target: Target) -> StoreResult<i64> {
        let key = super::channel_listing::KEY;
        delete_with_tombstone(&self.write, "listing", "listing", key, target).await
    }

    async fn list_listings(&self, filter: &ListFilter) -> StoreResult<Page<Listing>> {
        super::channel_listing::list(self, filter).await
    }

    async fn save_listings(
        &self,
        items: Vec<(Option<Target>, Listing)>,
    ) -> StoreResult<Vec<Record<Listing>>> {
        super::channel_listing::save_many(self, items).await
    }

    async fn create_outbox_entry(&self, value: OutboxEntry) -> StoreResult<Record<OutboxEntry>> {
        super::channel_outbox::create(self, value).await
    }

    async fn get_outbox_entry(&self, lookup: &Lookup) -> StoreResult<Record<OutboxEntry>> {
        super::channel_outbox::get(self, lookup).await
    }

    async fn update_outbox_entry(
        &self,
        target: Target,
        value: OutboxEntry,
    ) -> StoreResult<Record<OutboxEntry>> {
        super::channel_outbox::update(self, target, value).await
    }

    async fn delete_outbox_entry(&self, target: Target) -> StoreResult<i64> {
        let key = super::channel_outbox::KEY;
        delete_with_tombstone(
            &self.write,
            "publication_outbox",
            "outbox entry",
            key,
            target,
        )
        .await
    }

    async fn list_outbox_entries(&self, filter: &ListFilter) -> StoreResult<Page<OutboxEntry>> {
        super::channel_outbox::list(self, filter).await
    }

    async fn save_outbox_entries(
        &self,
        items: Vec<(Option<Target>, OutboxEntry)>,
    ) -> StoreResult<Vec<Record<OutboxEntry>>> {
        super::channel_outbox::save_many(self, items).await
    }
}
