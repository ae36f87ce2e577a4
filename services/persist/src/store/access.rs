//! The store API of staff users and roles. Passwords go in, never come out: the store keeps only
//! their argon2 hashes and returns users with `password: None`.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::access::{Role, User};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Users and roles.
#[async_trait]
pub trait AccessStore {
    /// Requires `password` (INVALID_ARGUMENT `password` otherwise); `role_codes` must name
    /// existing roles (INVALID_ARGUMENT `role_codes[i]`).
    async fn create_user(&self, value: User) -> StoreResult<Record<User>>;
    /// By id, or by `Key` = login (matched case-insensitively, as logins are stored lower-case).
    async fn get_user(&self, lookup: &Lookup) -> StoreResult<Record<User>>;
    /// Replaces the user and its roles; `password: None` keeps the current password.
    async fn update_user(&self, target: Target, value: User) -> StoreResult<Record<User>>;
    async fn delete_user(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (login, display name, email).
    async fn list_users(&self, filter: &ListFilter) -> StoreResult<Page<User>>;
    /// The user with this login when `password` matches its stored hash; `None` for an unknown
    /// login or a wrong password (indistinguishable). Does not look at `active`: the caller does.
    async fn verify_password(
        &self,
        login: &str,
        password: &str,
    ) -> StoreResult<Option<Record<User>>>;

    async fn create_role(&self, value: Role) -> StoreResult<Record<Role>>;
    /// By id, or by `Key` = code.
    async fn get_role(&self, lookup: &Lookup) -> StoreResult<Record<Role>>;
    async fn update_role(&self, target: Target, value: Role) -> StoreResult<Record<Role>>;
    /// Fails with FAILED_PRECONDITION while a user has the role.
    async fn delete_role(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_roles(&self, filter: &ListFilter) -> StoreResult<Page<Role>>;
}
