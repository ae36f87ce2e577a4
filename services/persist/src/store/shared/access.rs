// Roles, and the `AccessStore` impl (users in shared/access_user.rs), compiled once per backend
// (see store/mod.rs).

use async_trait::async_trait;
use carpetti_util::Code;
use sqlx::Row;
use sqlx::types::Json;

use super::access_user as user;
use crate::error::{StoreError, StoreResult};
use crate::model::access::{Role, User, normalize_permissions};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::AccessStore;

const ROLE_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, permissions";

fn role_from_row(row: &DbRow) -> StoreResult<Record<Role>> {
    let code: String = row.try_get("code")?;
    let permissions: Json<Vec<String>> = row.try_get("permissions")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: Role {
            code: stored_enum(Code::parse(&code), "role.code")?,
            name: row.try_get("name")?,
            permissions: permissions.0,
        },
    })
}

/// Normalizes the permissions and writes the role row.
async fn write_role(tx: &mut Tx, meta: &Meta, value: &mut Role, insert: bool) -> StoreResult<()> {
    if value.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "must not be empty"));
    }
    value.permissions = normalize_permissions(&value.permissions)?;
    let sql = if insert {
        "INSERT INTO role (id, change_seq, created_at, updated_at, code, name, permissions, \
         search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE role SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, name = $6, \
         permissions = $7, search_text = $8 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(Json(&value.permissions))
        .bind(carpetti_util::search_text([
            value.code.as_str(),
            value.name.as_str(),
        ]))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("role", value.code.as_str()))?;
    Ok(())
}

#[async_trait]
impl AccessStore for Backend {
    async fn create_user(&self, value: User) -> StoreResult<Record<User>> {
        user::create(self, value).await
    }

    async fn get_user(&self, lookup: &Lookup) -> StoreResult<Record<User>> {
        user::get(self, lookup).await
    }

    async fn update_user(&self, target: Target, value: User) -> StoreResult<Record<User>> {
        user::update(self, target, value).await
    }

    async fn delete_user(&self, target: Target) -> StoreResult<i64> {
        user::delete(self, target).await
    }

    async fn list_users(&self, filter: &ListFilter) -> StoreResult<Page<User>> {
        user::list(self, filter).await
    }

    async fn verify_password(
        &self,
        login: &str,
        password: &str,
    ) -> StoreResult<Option<Record<User>>> {
        user::verify(self, login, password).await
    }

    async fn create_role(&self, mut value: Role) -> StoreResult<Record<Role>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_role(&mut tx, &meta, &mut value, true).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn get_role(&self, lookup: &Lookup) -> StoreResult<Record<Role>> {
        let row = fetch_one_by(
            &self.read,
            "role",
            lookup,
            &format!("SELECT {ROLE_COLUMNS} FROM role WHERE id = $1"),
            Some(&format!("SELECT {ROLE_COLUMNS} FROM role WHERE code = $1")),
            None,
        )
        .await?;
        role_from_row(&row)
    }

    async fn update_role(&self, target: Target, mut value: Role) -> StoreResult<Record<Role>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "role", "role", target).await?;
        let meta = stamped(old, seq);
        write_role(&mut tx, &meta, &mut value, false).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn delete_role(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(&self.write, "role", "role", "code", target).await
    }

    async fn list_roles(&self, filter: &ListFilter) -> StoreResult<Page<Role>> {
        filter.allow_only(&["text"])?;
        let mut qb = start_list(ROLE_COLUMNS, "role", filter);
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "search_text", text);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(role_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }
}
