// The secret store of channel accounts, compiled once per backend: `channel_credentials` rows,
// one JSON object of strings per channel, read only through `get_channel_credentials`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::model::Lookup;
use crate::model::channel::ChannelCredentials;
use crate::store::CredentialStore;

/// The channel's id, checking it exists.
async fn channel_id(pool: &sqlx::Pool<Db>, lookup: &Lookup) -> StoreResult<Uuid> {
    let row = fetch_one_by(
        pool,
        "channel",
        lookup,
        "SELECT id FROM channel WHERE id = $1",
        Some("SELECT id FROM channel WHERE code = $1"),
        None,
    )
    .await?;
    Ok(row.try_get("id")?)
}

#[async_trait]
impl CredentialStore for Backend {
    async fn set_channel_credentials(
        &self,
        channel: &Lookup,
        credentials: ChannelCredentials,
    ) -> StoreResult<()> {
        credentials.validate()?;
        let id = channel_id(&self.write, channel).await?;
        if credentials.secrets.is_empty() {
            sqlx::query("DELETE FROM channel_credentials WHERE channel_id = $1")
                .bind(id)
                .execute(&self.write)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO channel_credentials (channel_id, secrets, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id) DO UPDATE SET secrets = excluded.secrets, \
             updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(Json(&credentials.secrets))
        .bind(carpetti_util::now())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_channel_credentials(&self, channel: &Lookup) -> StoreResult<ChannelCredentials> {
        let id = channel_id(&self.read, channel).await?;
        let row = sqlx::query("SELECT secrets FROM channel_credentials WHERE channel_id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let secrets = match row {
            Some(row) => {
                let secrets: Json<BTreeMap<String, String>> = row.try_get("secrets")?;
                secrets.0
            }
            None => BTreeMap::new(),
        };
        Ok(ChannelCredentials { secrets })
    }
}
