// Deployments and process definitions: versions per key, duplicate filtering, timer start jobs.

use carpetti_util::ContentHash;

use crate::model::parse_definitions;

fn is_model(name: &str) -> bool {
    name.ends_with(".bpmn") || name.ends_with(".bpmn20.xml") || name.ends_with(".bpmn2")
}

fn definition_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<DefinitionInfo> {
    Ok(DefinitionInfo {
        id: get(row, "id")?,
        key: get(row, "key")?,
        version: get(row, "version")?,
        name: get(row, "name")?,
        deployment_id: get(row, "deployment_id")?,
        resource: get(row, "resource")?,
        version_tag: get(row, "version_tag")?,
    })
}

impl Store {
    pub async fn deploy(&self, request: DeployRequest) -> EngineResult<DeploymentInfo> {
        if request.resources.is_empty() {
            return Err(EngineError::BadRequest(
                "a deployment needs at least one resource".into(),
            ));
        }
        let mut resources = Vec::new();
        for (name, bytes) in &request.resources {
            let text = String::from_utf8(bytes.clone()).map_err(|_| {
                EngineError::BadRequest(format!("resource '{name}' is not UTF-8 text"))
            })?;
            let hash = ContentHash::of_parts([bytes.as_slice()])
                .as_str()
                .to_owned();
            resources.push((name.clone(), text, hash));
        }
        let mut tx = self.write.begin().await?;
        if (request.duplicate_filtering || request.changed_only)
            && let Some(name) = &request.name
        {
            let previous = sqlx::query("SELECT id FROM engine_deployment WHERE name = $1 ORDER BY deployed_at DESC, id DESC LIMIT 1").bind(name).fetch_optional(&mut *tx).await?;
            if let Some(previous) = previous {
                let previous_id: String = get(&previous, "id")?;
                // the latest content of each resource name under this deployment name
                let mut unchanged = Vec::new();
                for (resource, _, hash) in &resources {
                    let latest = sqlx::query("SELECT r.hash FROM engine_resource r JOIN engine_deployment d ON d.id = r.deployment_id WHERE d.name = $1 AND r.name = $2 ORDER BY d.deployed_at DESC, d.id DESC LIMIT 1")
                        .bind(name)
                        .bind(resource)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let same = match latest {
                        Some(row) => get::<String>(&row, "hash")? == *hash,
                        None => false,
                    };
                    unchanged.push(same);
                }
                let all_same = unchanged.iter().all(|u| *u);
                if all_same {
                    drop(tx);
                    let mut existing = self.deployment(&previous_id).await?;
                    existing.definitions.clear();
                    return Ok(existing);
                }
                if request.changed_only {
                    let mut keep = unchanged.into_iter();
                    resources.retain(|_| !keep.next().unwrap_or(false));
                }
            }
        }
        // parse every model before writing anything: a bad resource deploys nothing
        let mut parsed = Vec::new();
        for (name, text, _) in &resources {
            if is_model(name) {
                let defs = parse_definitions(text).map_err(|error| EngineError::Parse {
                    resource: name.clone(),
                    error,
                })?;
                parsed.push((name.clone(), defs));
            }
        }
        let now = Utc::now();
        let id = new_id();
        sqlx::query("INSERT INTO engine_deployment (id, name, source, tenant_id, deployed_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&request.name)
            .bind(&request.source)
            .bind(&request.tenant_id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        for (name, text, hash) in &resources {
            sqlx::query("INSERT INTO engine_resource (deployment_id, name, content, hash) VALUES ($1, $2, $3, $4)").bind(&id).bind(name).bind(text).bind(hash).execute(&mut *tx).await?;
        }
        let mut definitions = Vec::new();
        for (resource, defs) in parsed {
            for process in defs.processes {
                let row = sqlx::query(
                    "SELECT COALESCE(MAX(version), 0) AS v FROM engine_definition WHERE key = $1",
                )
                .bind(&process.key)
                .fetch_one(&mut *tx)
                .await?;
                let version: i32 = get::<i32>(&row, "v")? + 1;
                let definition = DefinitionInfo {
                    id: format!("{}:{version}:{}", process.key, new_id()),
                    key: process.key.clone(),
                    version,
                    name: process.name.clone(),
                    deployment_id: id.clone(),
                    resource: resource.clone(),
                    version_tag: process.version_tag.clone(),
                };
                sqlx::query("INSERT INTO engine_definition (id, key, version, name, version_tag, deployment_id, resource) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&definition.id)
                    .bind(&definition.key)
                    .bind(definition.version)
                    .bind(&definition.name)
                    .bind(&definition.version_tag)
                    .bind(&id)
                    .bind(&resource)
                    .execute(&mut *tx)
                    .await?;
                self.schedule_start_timers(&mut tx, &definition, &process, now)
                    .await?;
                definitions.push(definition);
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(DeploymentInfo {
            id,
            name: request.name,
            source: request.source,
            tenant_id: request.tenant_id,
            deployed_at: from_ms(ms(now)),
            definitions,
        })
    }

    /// Replaces the timer start jobs of a key by those of its new latest version.
    async fn schedule_start_timers(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        definition: &DefinitionInfo,
        process: &ProcessModel,
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        sqlx::query("DELETE FROM engine_job WHERE kind = 'start-timer' AND definition_id IN (SELECT id FROM engine_definition WHERE key = $1)").bind(&definition.key).execute(&mut **tx).await?;
        for (element, spec) in process.timer_starts() {
            let text = spec
                .expression()
                .evaluate(&serde_json::Map::new())
                .map_err(|e| {
                    EngineError::BadRequest(format!(
                        "timer start '{}': {e}",
                        process.element(element).id
                    ))
                })?;
            let text = text
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| text.to_string());
            let schedule = spec.schedule(&text).map_err(|e| {
                EngineError::BadRequest(format!(
                    "timer start '{}': {e}",
                    process.element(element).id
                ))
            })?;
            let Some(due) = schedule.first(now) else {
                continue;
            };
            let kind = match spec {
                crate::model::TimerSpec::Date(_) => "date",
                crate::model::TimerSpec::Duration(_) => "duration",
                crate::model::TimerSpec::Cycle(_) => "cycle",
            };
            sqlx::query("INSERT INTO engine_job (id, kind, definition_id, due_at, activity_id, timer_kind, schedule, fired) VALUES ($1, 'start-timer', $2, $3, $4, $5, $6, 0)")
                .bind(new_id())
                .bind(&definition.id)
                .bind(ms(due))
                .bind(&*process.element(element).id)
                .bind(kind)
                .bind(&text)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub async fn deployments(&self, query: &DeploymentQuery) -> EngineResult<Vec<DeploymentInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT id FROM engine_deployment WHERE 1 = 1");
        if let Some(id) = &query.id {
            q.push(" AND id = ").push_bind(id.clone());
        }
        if let Some(name) = &query.name {
            q.push(" AND name = ").push_bind(name.clone());
        }
        if let Some(like) = &query.name_like {
            q.push(" AND name LIKE ").push_bind(like.clone());
        }
        if let Some(source) = &query.source {
            q.push(" AND source = ").push_bind(source.clone());
        }
        q.push(" ORDER BY deployed_at, id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let ids: Vec<String> = q
            .build()
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| get(r, "id"))
            .collect::<EngineResult<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.deployment(&id).await?);
        }
        Ok(out)
    }

    pub async fn deployment(&self, id: &str) -> EngineResult<DeploymentInfo> {
        let row = sqlx::query(
            "SELECT id, name, source, tenant_id, deployed_at FROM engine_deployment WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| {
            EngineError::NotFound(format!("Deployment with id '{id}' does not exist"))
        })?;
        let definitions =
            sqlx::query("SELECT * FROM engine_definition WHERE deployment_id = $1 ORDER BY key")
                .bind(id)
                .fetch_all(&self.read)
                .await?;
        Ok(DeploymentInfo {
            id: get(&row, "id")?,
            name: get(&row, "name")?,
            source: get(&row, "source")?,
            tenant_id: get(&row, "tenant_id")?,
            deployed_at: from_ms(get(&row, "deployed_at")?),
            definitions: definitions
                .iter()
                .map(definition_from_row)
                .collect::<EngineResult<_>>()?,
        })
    }

    pub async fn delete_deployment(&self, id: &str, cascade: bool) -> EngineResult<()> {
        self.deployment(id).await?;
        let running = sqlx::query("SELECT i.id FROM engine_instance i JOIN engine_definition d ON d.id = i.definition_id WHERE d.deployment_id = $1 AND i.ended_at IS NULL")
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        if !running.is_empty() && !cascade {
            return Err(EngineError::BadRequest(format!(
                "Deployment {id} has {} running process instance(s); delete with cascade=true",
                running.len()
            )));
        }
        for row in running {
            let instance: String = get(&row, "id")?;
            self.delete_instance(&instance, Some("deployment deleted".into()))
                .await?;
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM engine_job WHERE kind = 'start-timer' AND definition_id IN (SELECT id FROM engine_definition WHERE deployment_id = $1)").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM engine_definition WHERE deployment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM engine_resource WHERE deployment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM engine_deployment WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn definitions(&self, query: &DefinitionQuery) -> EngineResult<Vec<DefinitionInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM engine_definition d WHERE 1 = 1");
        if let Some(id) = &query.id {
            q.push(" AND id = ").push_bind(id.clone());
        }
        push_in(&mut q, "id", &query.ids);
        if let Some(key) = &query.key {
            q.push(" AND key = ").push_bind(key.clone());
        }
        push_in(&mut q, "key", &query.keys);
        for (column, value) in [("key", &query.key_like), ("name", &query.name_like)] {
            if let Some(v) = value {
                q.push(format!(" AND {column} LIKE ")).push_bind(v.clone());
            }
        }
        push_equals(
            &mut q,
            &[
                ("name", &query.name),
                ("deployment_id", &query.deployment_id),
                ("resource", &query.resource_name),
                ("version_tag", &query.version_tag),
            ],
        );
        if let Some(version) = query.version {
            q.push(" AND version = ").push_bind(version);
        }
        if query.latest_version {
            q.push(
                " AND version = (SELECT MAX(version) FROM engine_definition l WHERE l.key = d.key)",
            );
        }
        let order = match query.page.sort.as_ref().map(|(by, _)| by.as_str()) {
            Some("id") => "id",
            Some("name") => "name",
            Some("version") => "version",
            Some("deploymentId") => "deployment_id",
            _ => "key",
        };
        let direction = if query.page.sort.as_ref().is_some_and(|(_, asc)| !asc) {
            "DESC"
        } else {
            "ASC"
        };
        q.push(format!(
            " ORDER BY {order} {direction}, version {direction} LIMIT "
        ))
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
        self.fetch_mapped(q, definition_from_row).await
    }

    pub async fn definition(&self, by: &DefinitionRef) -> EngineResult<DefinitionInfo> {
        definition_in(by, &self.read).await
    }

    pub async fn definition_xml(
        &self,
        by: &DefinitionRef,
    ) -> EngineResult<(DefinitionInfo, String)> {
        let definition = self.definition(by).await?;
        let row = sqlx::query(
            "SELECT content FROM engine_resource WHERE deployment_id = $1 AND name = $2",
        )
        .bind(&definition.deployment_id)
        .bind(&definition.resource)
        .fetch_one(&self.read)
        .await?;
        let xml: String = get(&row, "content")?;
        Ok((definition, xml))
    }
}

/// A definition by id, or the latest version of a key, read through `executor` (a pool, or the
/// connection of a transaction the caller holds).
pub(crate) async fn definition_in<'c, E>(
    by: &DefinitionRef,
    executor: E,
) -> EngineResult<DefinitionInfo>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row = match by {
        DefinitionRef::Id(id) => {
            sqlx::query("SELECT * FROM engine_definition WHERE id = $1")
                .bind(id)
                .fetch_optional(executor)
                .await?
        }
        DefinitionRef::Key(key) => {
            sqlx::query(
                "SELECT * FROM engine_definition WHERE key = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(key)
            .fetch_optional(executor)
            .await?
        }
    };
    match row {
        Some(row) => definition_from_row(&row),
        None => Err(EngineError::NotFound(match by {
            DefinitionRef::Id(id) => format!("No matching definition with id {id}"),
            DefinitionRef::Key(key) => {
                format!("No matching process definition with key: {key} and no tenant-id")
            }
        })),
    }
}
