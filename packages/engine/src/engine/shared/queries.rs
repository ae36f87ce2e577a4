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

impl Store {
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
