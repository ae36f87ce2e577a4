// Incidents and the activity history.

fn incident_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<IncidentInfo> {
    Ok(IncidentInfo {
        id: get(row, "id")?,
        process_definition_id: get(row, "definition_id")?,
        process_instance_id: get(row, "instance_id")?,
        execution_id: get(row, "execution_id")?,
        created_at: from_ms(get(row, "created_at")?),
        kind: get(row, "kind")?,
        activity_id: get(row, "activity_id")?,
        configuration: get(row, "configuration")?,
        message: get(row, "message")?,
    })
}

fn activity_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<HistoricActivity> {
    Ok(HistoricActivity {
        id: get(row, "id")?,
        parent_activity_instance_id: get(row, "parent_id")?,
        activity_id: get(row, "activity_id")?,
        activity_name: get(row, "activity_name")?,
        activity_type: get(row, "activity_type")?,
        process_definition_id: get(row, "definition_id")?,
        process_definition_key: get(row, "definition_key")?,
        process_instance_id: get(row, "instance_id")?,
        execution_id: get(row, "execution_id")?,
        task_id: get(row, "task_id")?,
        called_process_instance_id: get(row, "called_instance_id")?,
        started_at: from_ms(get(row, "started_at")?),
        ended_at: opt_ms(get(row, "ended_at")?),
        canceled: get(row, "canceled")?,
    })
}

fn job_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<JobInfo> {
    Ok(JobInfo {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        due_at: from_ms(get(row, "due_at")?),
        process_instance_id: get(row, "instance_id")?,
        process_definition_id: get(row, "definition_id")?,
        activity_id: get(row, "activity_id")?,
        retries: get(row, "retries")?,
        exception_message: get(row, "error")?,
    })
}

impl Store {
    fn job_query<'q>(select: &str, query: &JobQuery) -> sqlx::QueryBuilder<'q, Db> {
        let mut q =
            sqlx::QueryBuilder::<Db>::new(format!("SELECT {select} FROM engine_job WHERE 1 = 1"));
        push_equals(
            &mut q,
            &[
                ("id", &query.id),
                ("instance_id", &query.process_instance_id),
                ("definition_id", &query.process_definition_id),
                ("activity_id", &query.activity_id),
            ],
        );
        match query.with_retries_left {
            Some(true) => {
                q.push(" AND retries > 0");
            }
            Some(false) => {
                q.push(" AND retries <= 0");
            }
            None => {}
        }
        q
    }

    pub async fn jobs(&self, query: &JobQuery) -> EngineResult<Vec<JobInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = Self::job_query(
            "id, kind, due_at, instance_id, definition_id, activity_id, retries, error",
            query,
        );
        q.push(" ORDER BY due_at, id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        self.fetch_mapped(q, job_from_row).await
    }

    pub async fn job_count(&self, query: &JobQuery) -> EngineResult<u64> {
        self.count(Self::job_query("COUNT(*) AS n", query)).await
    }

    pub async fn set_job_retries(&self, id: &str, retries: i32) -> EngineResult<()> {
        if retries < 0 {
            return Err(EngineError::BadRequest(
                "retries must not be negative".into(),
            ));
        }
        let now = ms(Utc::now());
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("UPDATE engine_job SET retries = $2, due_at = CASE WHEN error IS NOT NULL AND $2 > 0 THEN $3 ELSE due_at END, locked_until = NULL, owner = NULL WHERE id = $1")
            .bind(id)
            .bind(retries)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(EngineError::NotFound(format!(
                "Job with id {id} does not exist"
            )));
        }
        if retries > 0 {
            sqlx::query("UPDATE engine_incident SET resolved_at = $2 WHERE configuration = $1 AND kind = 'failedJob' AND resolved_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// Open incidents (resolved ones leave the list, as in Camunda's runtime view).
    fn incident_query<'q>(select: &str, query: &IncidentQuery) -> sqlx::QueryBuilder<'q, Db> {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT {select} FROM engine_incident WHERE resolved_at IS NULL"
        ));
        push_equals(
            &mut q,
            &[
                ("id", &query.id),
                ("kind", &query.kind),
                ("instance_id", &query.process_instance_id),
                ("definition_id", &query.definition_id),
                ("activity_id", &query.activity_id),
                ("configuration", &query.configuration),
            ],
        );
        q
    }

    pub async fn incidents(&self, query: &IncidentQuery) -> EngineResult<Vec<IncidentInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = Self::incident_query("*", query);
        q.push(" ORDER BY created_at, id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        self.fetch_mapped(q, incident_from_row).await
    }

    pub async fn incident_count(&self, query: &IncidentQuery) -> EngineResult<u64> {
        self.count(Self::incident_query("COUNT(*) AS n", query))
            .await
    }

    fn activity_query<'q>(
        select: &str,
        query: &HistoricActivityQuery,
    ) -> sqlx::QueryBuilder<'q, Db> {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT {select} FROM engine_activity_history WHERE 1 = 1"
        ));
        push_equals(
            &mut q,
            &[
                ("instance_id", &query.process_instance_id),
                ("activity_id", &query.activity_id),
                ("activity_type", &query.activity_type),
            ],
        );
        match query.finished {
            Some(true) => {
                q.push(" AND ended_at IS NOT NULL");
            }
            Some(false) => {
                q.push(" AND ended_at IS NULL");
            }
            None => {}
        }
        q
    }

    pub async fn historic_activities(
        &self,
        query: &HistoricActivityQuery,
    ) -> EngineResult<Vec<HistoricActivity>> {
        let (limit, offset) = limits(&query.page);
        let mut q = Self::activity_query("*", query);
        let direction = if query.page.sort.as_ref().is_some_and(|(_, asc)| !asc) {
            "DESC"
        } else {
            "ASC"
        };
        q.push(format!(" ORDER BY seq {direction} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        self.fetch_mapped(q, activity_from_row).await
    }

    pub async fn historic_activity_count(
        &self,
        query: &HistoricActivityQuery,
    ) -> EngineResult<u64> {
        self.count(Self::activity_query("COUNT(*) AS n", query))
            .await
    }
}
