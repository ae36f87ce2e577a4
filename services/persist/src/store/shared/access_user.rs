// Staff users, compiled once per backend (see store/mod.rs); `AccessStore` (shared/access.rs)
// delegates its user methods here. Passwords are hashed with argon2id (PHC string in
// `app_user.password_hash`) on the blocking pool, before the write transaction starts so the
// writer lock is not held while hashing. The hash is never selected except by `verify`.

use std::collections::HashMap;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use carpetti_util::Code;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::crm::{begin_delete, detach_interactions, finish_delete};
use crate::error::{StoreError, StoreResult};
use crate::model::access::{Login, Password, User};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const USER_COLUMNS: &str =
    "id, change_seq, created_at, updated_at, login, display_name, email, active";

/// A failure of the hashing machinery itself (not a wrong password): an internal error.
fn hashing_failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!(
        "password hashing failed: {error}"
    )))
}

/// The argon2id PHC string of `password`, with a fresh random salt.
async fn hash_password(password: Password) -> StoreResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(hashing_failed)?
    .map_err(hashing_failed)
}

/// Whether `password` matches the stored PHC string.
async fn password_matches(password: String, stored: String) -> StoreResult<bool> {
    tokio::task::spawn_blocking(move || {
        let hash = PasswordHash::new(&stored).map_err(hashing_failed)?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok())
    })
    .await
    .map_err(hashing_failed)?
}

fn user_from_row(row: &DbRow) -> StoreResult<Record<User>> {
    let login: String = row.try_get("login")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: User {
            login: stored_enum(Login::parse(&login), "app_user.login")?,
            display_name: row.try_get("display_name")?,
            email: row.try_get("email")?,
            password: None,
            active: row.try_get("active")?,
            role_codes: Vec::new(),
        },
    })
}

/// Reads the role codes (sorted) of `users` into them.
async fn attach_roles(
    conn: &mut <Db as sqlx::Database>::Connection,
    users: &mut [Record<User>],
) -> StoreResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::new(
        "SELECT ur.user_id, r.code FROM user_role ur JOIN role r ON r.id = ur.role_id \
         WHERE ur.user_id IN (",
    );
    let mut ids = qb.separated(", ");
    for user in users.iter() {
        ids.push_bind(user.meta.id);
    }
    qb.push(") ORDER BY r.code");
    let mut codes: HashMap<Uuid, Vec<Code>> = HashMap::new();
    for row in qb.build().fetch_all(&mut *conn).await? {
        let code: String = row.try_get("code")?;
        codes
            .entry(row.try_get("user_id")?)
            .or_default()
            .push(stored_enum(Code::parse(&code), "role.code")?);
    }
    for user in users.iter_mut() {
        user.value.role_codes = codes.remove(&user.meta.id).unwrap_or_default();
    }
    Ok(())
}

async fn read_user(
    conn: &mut <Db as sqlx::Database>::Connection,
    id: Uuid,
) -> StoreResult<Record<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM app_user WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let mut user = [user_from_row(&row)?];
    attach_roles(conn, &mut user).await?;
    let [user] = user;
    Ok(user)
}

/// Writes the user row (the hash only when given) and replaces its role assignments.
async fn write_user(
    tx: &mut Tx,
    meta: &Meta,
    value: &User,
    hash: Option<&str>,
    insert: bool,
) -> StoreResult<()> {
    if value.display_name.trim().is_empty() {
        return Err(StoreError::invalid("display_name", "must not be empty"));
    }
    let mut roles = Vec::with_capacity(value.role_codes.len());
    for (i, code) in value.role_codes.iter().enumerate() {
        let role: Option<Uuid> = sqlx::query_scalar("SELECT id FROM role WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        match role {
            Some(id) if !roles.contains(&id) => roles.push(id),
            Some(_) => {}
            None => {
                return Err(StoreError::unknown(
                    format!("role_codes[{i}]"),
                    "role",
                    code,
                ));
            }
        }
    }
    let search = carpetti_util::search_text(
        [value.login.as_str(), value.display_name.as_str()]
            .into_iter()
            .chain(value.email.as_deref()),
    );
    let sql = match (insert, hash.is_some()) {
        (true, _) => {
            "INSERT INTO app_user (id, change_seq, created_at, updated_at, login, display_name, \
             email, active, search_text, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10)"
        }
        (false, true) => {
            "UPDATE app_user SET change_seq = $2, created_at = $3, updated_at = $4, login = $5, \
             display_name = $6, email = $7, active = $8, search_text = $9, password_hash = $10 \
             WHERE id = $1"
        }
        (false, false) => {
            "UPDATE app_user SET change_seq = $2, created_at = $3, updated_at = $4, login = $5, \
             display_name = $6, email = $7, active = $8, search_text = $9 WHERE id = $1"
        }
    };
    let mut query = sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.login.as_str())
        .bind(&value.display_name)
        .bind(&value.email)
        .bind(value.active)
        .bind(search);
    if let Some(hash) = hash {
        query = query.bind(hash);
    }
    query
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("user", value.login.as_str()))?;
    sqlx::query("DELETE FROM user_role WHERE user_id = $1")
        .bind(meta.id)
        .execute(&mut **tx)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)")
            .bind(meta.id)
            .bind(role)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn create(store: &Backend, mut value: User) -> StoreResult<Record<User>> {
    let password = value
        .password
        .take()
        .ok_or_else(|| StoreError::invalid("password", "is required"))?;
    let hash = hash_password(password).await?;
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_user(&mut tx, &meta, &value, Some(&hash), true).await?;
    let stored = read_user(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<User>> {
    let lookup = match lookup {
        Lookup::Key(key) => Lookup::Key(
            Login::parse(key)
                .map_err(StoreError::parse("key"))?
                .as_str()
                .to_owned(),
        ),
        other => other.clone(),
    };
    let row = fetch_one_by(
        &store.read,
        "user",
        &lookup,
        &format!("SELECT {USER_COLUMNS} FROM app_user WHERE id = $1"),
        Some(&format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE login = $1"
        )),
        None,
    )
    .await?;
    let mut user = [user_from_row(&row)?];
    let mut conn = store.read.acquire().await?;
    attach_roles(&mut conn, &mut user).await?;
    let [user] = user;
    Ok(user)
}

pub(crate) async fn update(
    store: &Backend,
    target: Target,
    mut value: User,
) -> StoreResult<Record<User>> {
    let hash = match value.password.take() {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "app_user", "user", target).await?;
    let meta = stamped(old, seq);
    write_user(&mut tx, &meta, &value, hash.as_deref(), false).await?;
    let stored = read_user(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn delete(store: &Backend, target: Target) -> StoreResult<i64> {
    let (mut tx, seq) = begin_delete(&store.write, "app_user", "user", target).await?;
    let login: String = sqlx::query_scalar("SELECT login FROM app_user WHERE id = $1")
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
    detach_interactions(&mut tx, "user_id", target.id).await?;
    finish_delete(tx, seq, "app_user", "user", target.id, &login).await
}

pub(crate) async fn list(store: &Backend, filter: &ListFilter) -> StoreResult<Page<User>> {
    filter.allow_only(&["text"])?;
    let mut qb = start_list(USER_COLUMNS, "app_user", filter);
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let mut conn = store.read.acquire().await?;
    let rows = qb.build().fetch_all(&mut *conn).await?;
    let mut items = rows
        .iter()
        .map(user_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    attach_roles(&mut conn, &mut items).await?;
    Ok(into_page(items, filter))
}

pub(crate) async fn verify(
    store: &Backend,
    login: &str,
    password: &str,
) -> StoreResult<Option<Record<User>>> {
    let Ok(login) = Login::parse(login) else {
        return Ok(None);
    };
    let found: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, password_hash FROM app_user WHERE login = $1")
            .bind(login.as_str())
            .fetch_optional(&store.read)
            .await?;
    let Some((id, stored)) = found else {
        return Ok(None);
    };
    if !password_matches(password.to_owned(), stored).await? {
        return Ok(None);
    }
    let mut conn = store.read.acquire().await?;
    Ok(Some(read_user(&mut conn, id).await?))
}
