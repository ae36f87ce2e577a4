// Process instances: start, the runtime and history views, delete, the activity tree, variables.

use crate::runtime::{self, InstanceState, SuperRef};
use crate::variables::{TypedValue, Variables};

const INSTANCE_SELECT: &str = "SELECT i.*, d.name AS definition_name, COALESCE(d.version, 0) AS definition_version, \
     (SELECT COUNT(*) FROM engine_incident n WHERE n.instance_id = i.id AND n.resolved_at IS NULL) AS open_incidents \
     FROM engine_instance i LEFT JOIN engine_definition d ON d.id = i.definition_id WHERE 1 = 1";

fn instance_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<InstanceInfo> {
    let end_state: Option<String> = get(row, "end_state")?;
    Ok(InstanceInfo {
        id: get(row, "id")?,
        definition_id: get(row, "definition_id")?,
        definition_key: get(row, "definition_key")?,
        definition_name: get(row, "definition_name")?,
        definition_version: get(row, "definition_version")?,
        business_key: get(row, "business_key")?,
        super_instance_id: get(row, "super_instance_id")?,
        started_at: from_ms(get(row, "started_at")?),
        ended_at: opt_ms(get(row, "ended_at")?),
        state: end_state.unwrap_or_else(|| "ACTIVE".into()),
        start_activity_id: get(row, "start_activity_id")?,
        delete_reason: get(row, "delete_reason")?,
        incidents: get::<i64>(row, "open_incidents")?
            .try_into()
            .unwrap_or(u32::MAX),
    })
}

/// Compares a variable with a query filter (`eq`, `neq`, `gt`, `gteq`, `lt`, `lteq`, `like`).
fn matches_filter(value: Option<&TypedValue>, filter: &VariableFilter) -> bool {
    let Some(value) = value.map(TypedValue::to_expression_value) else {
        return false;
    };
    let ordering = match (&value, &filter.value) {
        (serde_json::Value::Number(a), serde_json::Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (serde_json::Value::String(a), serde_json::Value::String(b)) => Some(a.cmp(b)),
        (a, b) => (a == b).then_some(std::cmp::Ordering::Equal),
    };
    use std::cmp::Ordering::*;
    match filter.op.as_str() {
        "eq" => ordering == Some(Equal),
        "neq" => ordering != Some(Equal),
        "gt" => ordering == Some(Greater),
        "gteq" => matches!(ordering, Some(Greater | Equal)),
        "lt" => ordering == Some(Less),
        "lteq" => matches!(ordering, Some(Less | Equal)),
        "like" => match (&value, &filter.value) {
            (serde_json::Value::String(v), serde_json::Value::String(pattern)) => like(v, pattern),
            _ => false,
        },
        _ => false,
    }
}

/// SQL `LIKE` with `%` and `_`.
fn like(text: &str, pattern: &str) -> bool {
    fn go(t: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(&t[i..], rest)),
            Some(('_', rest)) => !t.is_empty() && go(&t[1..], rest),
            Some((c, rest)) => t.first() == Some(c) && go(&t[1..], rest),
        }
    }
    go(
        &text.chars().collect::<Vec<_>>(),
        &pattern.chars().collect::<Vec<_>>(),
    )
}

/// A start the runtime ran, not yet written.
pub(crate) struct Started {
    pub(crate) model: Arc<ProcessModel>,
    pub(crate) state: InstanceState,
    pub(crate) fx: crate::runtime::Effects,
    pub(crate) start_activity: Option<String>,
    pub(crate) now: DateTime<Utc>,
}

/// What `instance(id)` reads back right after a start, without reading it.
pub(crate) fn started_info(
    definition: &DefinitionInfo,
    id: String,
    business_key: Option<String>,
    fx: &crate::runtime::Effects,
    start_activity: Option<String>,
    now: DateTime<Utc>,
    super_instance_id: Option<String>,
) -> InstanceInfo {
    InstanceInfo {
        id,
        definition_id: definition.id.clone(),
        definition_key: definition.key.clone(),
        definition_name: definition.name.clone(),
        definition_version: definition.version,
        business_key,
        super_instance_id,
        started_at: from_ms(ms(now)),
        ended_at: fx.ended.map(|_| from_ms(ms(now))),
        state: fx.ended.map_or("ACTIVE", |how| how.name()).to_owned(),
        start_activity_id: start_activity,
        delete_reason: None,
        // an instance that ended in its start resolved what it raised
        incidents: if fx.ended.is_some() {
            0
        } else {
            u32::try_from(fx.incidents.len()).unwrap_or(u32::MAX)
        },
    }
}

impl Store {
    /// A start in its own transaction (see `start_group.rs` for starts written in groups).
    pub(crate) async fn start_alone(
        &self,
        by: &DefinitionRef,
        request: StartRequest,
    ) -> EngineResult<InstanceInfo> {
        let definition = self.definition(by).await?;
        self.start_instance(
            &definition,
            request.business_key,
            request.variables,
            None,
            None,
            new_id(),
        )
        .await
    }

    /// Starts an instance of `definition` (at `start_at`, a start event id, or the none start).
    pub(crate) async fn start_instance(
        &self,
        definition: &DefinitionInfo,
        business_key: Option<String>,
        variables: Variables,
        start_at: Option<&str>,
        super_ref: Option<SuperRef>,
        id: String,
    ) -> EngineResult<InstanceInfo> {
        let super_instance = super_ref.as_ref().map(|s| s.instance_id.clone());
        let Started {
            model,
            state,
            fx,
            start_activity,
            now,
        } = self
            .run_start(
                definition,
                &id,
                business_key.clone(),
                variables,
                start_at,
                super_ref,
            )
            .await?;
        let mut tx = self.write.begin().await?;
        let document = serde_json::to_string(&state).map_err(json_error)?;
        sqlx::query("INSERT INTO engine_instance (id, definition_id, definition_key, business_key, super_instance_id, state, started_at, start_activity_id) VALUES ($1, $2, $3, $4, $5, $8, $6, $7)")
            .bind(&id)
            .bind(&definition.id)
            .bind(&definition.key)
            .bind(&business_key)
            .bind(&super_instance)
            .bind(ms(now))
            .bind(&start_activity)
            .bind(document)
            .execute(&mut *tx)
            .await?;
        self.apply_effects(&mut tx, &state, &model, &fx, now, None)
            .await?;
        if fx.ended.is_some() {
            self.save_state(&mut tx, &state, &fx, now).await?;
        }
        tx.commit().await?;
        self.after_commit(&fx);
        Ok(started_info(
            definition,
            id,
            business_key,
            &fx,
            start_activity,
            now,
            super_instance,
        ))
    }

    /// Runs the start of an instance of `definition` in the runtime (nothing written yet).
    pub(crate) async fn run_start(
        &self,
        definition: &DefinitionInfo,
        id: &str,
        business_key: Option<String>,
        variables: Variables,
        start_at: Option<&str>,
        super_ref: Option<SuperRef>,
    ) -> EngineResult<Started> {
        let model = self.model(&definition.id, &self.read).await?;
        let start = match start_at {
            Some(element) => Some(model.element_by_id(element).ok_or_else(|| {
                EngineError::NotFound(format!("start event {element} of {}", definition.id))
            })?),
            None => None,
        };
        let now = Utc::now();
        let (state, fx) = runtime::start(
            &model,
            &definition.id,
            id.to_owned(),
            business_key,
            variables,
            start,
            super_ref,
            now,
        )
        .map_err(core::runtime_error)?;
        let start_activity = start
            .or(model.none_start)
            .map(|s| model.element(s).id.to_string());
        Ok(Started {
            model,
            state,
            fx,
            start_activity,
            now,
        })
    }

    fn instance_query<'q>(query: &InstanceQuery) -> sqlx::QueryBuilder<'q, Db> {
        let mut q = sqlx::QueryBuilder::<Db>::new(INSTANCE_SELECT);
        push_in(&mut q, "i.id", &query.ids);
        push_equals(
            &mut q,
            &[
                ("i.business_key", &query.business_key),
                ("i.definition_id", &query.definition_id),
                ("i.definition_key", &query.definition_key),
                ("i.super_instance_id", &query.super_instance_id),
            ],
        );
        if let Some(v) = &query.business_key_like {
            q.push(" AND i.business_key LIKE ").push_bind(v.clone());
        }
        push_in(&mut q, "i.definition_key", &query.definition_keys);
        match query.finished {
            Some(true) => {
                q.push(" AND i.ended_at IS NOT NULL");
            }
            Some(false) => {
                q.push(" AND i.ended_at IS NULL");
            }
            None => {}
        }
        if let Some(after) = query.started_after {
            q.push(" AND i.started_at >= ").push_bind(ms(after));
        }
        if let Some(before) = query.started_before {
            q.push(" AND i.started_at <= ").push_bind(ms(before));
        }
        if query.with_incident {
            q.push(" AND EXISTS (SELECT 1 FROM engine_incident n WHERE n.instance_id = i.id AND n.resolved_at IS NULL)");
        }
        let order = match query.page.sort.as_ref().map(|(by, _)| by.as_str()) {
            Some("instanceId") => "i.id",
            Some("definitionKey") => "i.definition_key",
            Some("definitionId") => "i.definition_id",
            Some("businessKey") => "i.business_key",
            Some("endTime") => "i.ended_at",
            _ => "i.started_at",
        };
        let direction = if query.page.sort.as_ref().is_some_and(|(_, asc)| !asc) {
            "DESC"
        } else {
            "ASC"
        };
        q.push(format!(" ORDER BY {order} {direction}, i.id {direction}"));
        q
    }

    pub async fn instances(&self, query: &InstanceQuery) -> EngineResult<Vec<InstanceInfo>> {
        let (limit, offset) = limits(&query.page);
        let post_filter = !query.variables.is_empty() || !query.activity_ids.is_empty();
        let mut q = Self::instance_query(query);
        if !post_filter {
            q.push(" LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
        }
        let rows = q.build().fetch_all(&self.read).await?;
        let mut out = Vec::new();
        for row in &rows {
            if post_filter {
                let text: String = get(row, "state")?;
                let state: InstanceState = serde_json::from_str(&text).map_err(json_error)?;
                if !self.state_matches(&state, query).await? {
                    continue;
                }
            }
            out.push(instance_from_row(row)?);
        }
        if post_filter {
            out = out
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
        }
        Ok(out)
    }

    async fn state_matches(
        &self,
        state: &InstanceState,
        query: &InstanceQuery,
    ) -> EngineResult<bool> {
        let root = state.scopes.get(&state.id).map(|s| &s.variables);
        if !query
            .variables
            .iter()
            .all(|f| matches_filter(root.and_then(|v| v.get(&f.name)), f))
        {
            return Ok(false);
        }
        if !query.activity_ids.is_empty() {
            let model = self.model(&state.definition_id, &self.read).await?;
            let waiting = state.tokens.values().any(|t| {
                query
                    .activity_ids
                    .iter()
                    .any(|a| **a == *model.element(t.element).id)
            });
            if !waiting {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub async fn instance_count(&self, query: &InstanceQuery) -> EngineResult<u64> {
        let mut all = query.clone();
        all.page = Page::default();
        Ok(self.instances(&all).await?.len() as u64)
    }

    pub async fn instance(&self, id: &str) -> EngineResult<InstanceInfo> {
        let row = sqlx::query(&format!("{INSTANCE_SELECT} AND i.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| {
                EngineError::NotFound(format!("Process instance with id {id} does not exist"))
            })?;
        instance_from_row(&row)
    }

    pub async fn delete_instance(&self, id: &str, reason: Option<String>) -> EngineResult<()> {
        self.command(id, core::Consumes::Nothing, runtime::cancel)
            .await?;
        sqlx::query("UPDATE engine_instance SET delete_reason = $2 WHERE id = $1")
            .bind(id)
            .bind(reason)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn running_state(&self, id: &str) -> EngineResult<InstanceState> {
        let row =
            sqlx::query("SELECT state FROM engine_instance WHERE id = $1 AND ended_at IS NULL")
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .ok_or_else(|| {
                    EngineError::NotFound(format!("Process instance with id {id} does not exist"))
                })?;
        let text: String = get(&row, "state")?;
        serde_json::from_str(&text).map_err(json_error)
    }

    pub async fn activity_tree(&self, id: &str) -> EngineResult<runtime::ActivityInstanceNode> {
        let state = self.running_state(id).await?;
        let model = self.model(&state.definition_id, &self.read).await?;
        Ok(runtime::activity_tree(&model, &state))
    }

    pub async fn instance_variables(&self, id: &str) -> EngineResult<Variables> {
        let state = self.running_state(id).await?;
        Ok(state
            .scopes
            .get(&state.id)
            .map(|s| s.variables.clone())
            .unwrap_or_default())
    }

    pub async fn modify_instance_variables(
        &self,
        id: &str,
        modifications: Variables,
        deletions: Vec<String>,
    ) -> EngineResult<()> {
        self.command(id, core::Consumes::Nothing, move |_, state, _| {
            let root_id = state.id.clone();
            if let Some(root) = state.scopes.get_mut(&root_id) {
                for name in &deletions {
                    root.variables.remove(name);
                }
                root.variables
                    .extend(modifications.into_iter().filter(|(_, v)| !v.is_transient()));
            }
            Ok(runtime::Effects::default())
        })
        .await?;
        Ok(())
    }
}
