// The engine code shared by both backends, included once by `engine/postgres.rs` and once by
// `engine/sqlite.rs`: every module below is compiled against that backend's `Db`, `FOR_UPDATE`
// and `SKIP_LOCKED`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sqlx::{Pool, Row};
use tokio::sync::Notify;

use crate::api::*;
use crate::model::ProcessModel;
use crate::runtime::new_id;

/// The engine over one database.
pub struct Store {
    write: Pool<Db>,
    read: Pool<Db>,
    description: String,
    /// Parsed models by definition id (definitions never change once deployed).
    models: Mutex<HashMap<String, Arc<ProcessModel>>>,
    /// Woken when external tasks become fetchable (long polling).
    tasks_ready: Notify,
    /// Woken when jobs were written for immediate execution.
    jobs_ready: Notify,
    /// This process's id as a job owner.
    node: String,
    job_poll: std::time::Duration,
    fetch_poll: std::time::Duration,
    /// External-task completes waiting to be written in groups.
    completions: groups::Groups<complete_group::Pending>,
    /// Instance starts waiting to be written in groups.
    starts: groups::Groups<start_group::PendingStart>,
}

impl Store {
    /// The store over its pools; `me` is the `Arc` it is built in (groups of completes are
    /// written by tasks of their own, which hold the store).
    fn with_pools(
        write: Pool<Db>,
        read: Pool<Db>,
        description: String,
        config: &EngineConfig,
        me: std::sync::Weak<Store>,
    ) -> Self {
        Self {
            write,
            read,
            description,
            models: Mutex::new(HashMap::new()),
            tasks_ready: Notify::new(),
            jobs_ready: Notify::new(),
            node: uuid::Uuid::now_v7().to_string(),
            job_poll: config.job_poll,
            fetch_poll: config.fetch_poll,
            completions: groups::Groups::new(config.command_groups, me.clone()),
            // starts come from fewer callers at once than completes: one group at a time lets
            // them gather (measured: 1.3 starts per group with two slots, 2.0 with one)
            starts: groups::Groups::new(config.command_groups.min(1), me),
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_ms(value: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(value).unwrap_or_default()
}

fn opt_ms(value: Option<i64>) -> Option<DateTime<Utc>> {
    value.map(from_ms)
}

fn json_error(e: serde_json::Error) -> EngineError {
    EngineError::Internal(format!("stored document: {e}"))
}

/// `LIMIT/OFFSET` of a page; at most 10,000 rows per page.
fn limits(page: &Page) -> (i64, i64) {
    let max = page.max_results.map_or(10_000, |m| m.min(10_000));
    (i64::from(max), i64::from(page.first_result.unwrap_or(0)))
}

fn get<T>(row: &<Db as sqlx::Database>::Row, column: &str) -> EngineResult<T>
where
    T: for<'r> sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    Ok(row.try_get::<T, _>(column)?)
}

/// ` AND column = value` for each filter that is set.
fn push_equals(q: &mut sqlx::QueryBuilder<'_, Db>, filters: &[(&str, &Option<String>)]) {
    for (column, value) in filters {
        if let Some(v) = value {
            q.push(format!(" AND {column} = ")).push_bind(v.clone());
        }
    }
}

/// ` AND column IN (…)` for a non-empty list.
fn push_in(q: &mut sqlx::QueryBuilder<'_, Db>, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    q.push(format!(" AND {column} IN ("));
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
    list.push_unseparated(")");
}

impl Store {
    /// Runs a list query on the read pool and maps its rows.
    async fn fetch_mapped<T>(
        &self,
        mut q: sqlx::QueryBuilder<'_, Db>,
        map: fn(&<Db as sqlx::Database>::Row) -> EngineResult<T>,
    ) -> EngineResult<Vec<T>> {
        q.build()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(map)
            .collect()
    }

    /// Runs a `SELECT COUNT(*) AS n` query on the read pool.
    async fn count(&self, mut q: sqlx::QueryBuilder<'_, Db>) -> EngineResult<u64> {
        let row = q.build().fetch_one(&self.read).await?;
        Ok(get::<i64>(&row, "n")?.max(0) as u64)
    }
}

mod core {
    use super::*;
    include!("core.rs");
}

mod apply {
    use super::*;
    include!("apply.rs");
}

mod deploy {
    use super::*;
    include!("deploy.rs");
}

mod instances {
    use super::*;
    include!("instances.rs");
}

mod external {
    use super::*;
    include!("external.rs");
}

mod groups {
    use super::*;
    include!("groups.rs");
}

mod complete_group {
    use super::*;
    include!("complete_group.rs");
}

mod start_group {
    use super::*;
    include!("start_group.rs");
}

mod fetch {
    use super::*;
    include!("fetch.rs");
}

mod user_tasks {
    use super::*;
    include!("user_tasks.rs");
}

mod messages {
    use super::*;
    include!("messages.rs");
}

mod jobs {
    use super::*;
    include!("jobs.rs");
}

mod queries {
    use super::*;
    include!("queries.rs");
}
