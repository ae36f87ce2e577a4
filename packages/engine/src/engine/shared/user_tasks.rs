// User tasks: the list (`GET /task`) and completion.

use crate::runtime;
use crate::variables::Variables;

fn user_task_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<UserTaskInfo> {
    Ok(UserTaskInfo {
        id: get(row, "id")?,
        name: get(row, "name")?,
        assignee: get(row, "assignee")?,
        candidate_groups: get(row, "candidate_groups")?,
        created_at: from_ms(get(row, "created_at")?),
        execution_id: get(row, "execution_id")?,
        process_instance_id: get(row, "instance_id")?,
        process_definition_id: get(row, "definition_id")?,
        activity_id: get(row, "activity_id")?,
        form_key: get(row, "form_key")?,
    })
}

impl Store {
    fn user_task_query<'q>(select: &str, query: &UserTaskQuery) -> sqlx::QueryBuilder<'q, Db> {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT {select} FROM engine_user_task WHERE 1 = 1"
        ));
        push_equals(
            &mut q,
            &[
                ("id", &query.id),
                ("instance_id", &query.process_instance_id),
                ("activity_id", &query.activity_id),
                ("assignee", &query.assignee),
                ("business_key", &query.business_key),
            ],
        );
        if let Some(group) = &query.candidate_group {
            q.push(" AND (',' || candidate_groups || ',') LIKE ")
                .push_bind(format!("%,{group},%"));
        }
        q
    }

    pub async fn user_tasks(&self, query: &UserTaskQuery) -> EngineResult<Vec<UserTaskInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = Self::user_task_query("*", query);
        q.push(" ORDER BY created_at, id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        self.fetch_mapped(q, user_task_from_row).await
    }

    pub async fn user_task_count(&self, query: &UserTaskQuery) -> EngineResult<u64> {
        self.count(Self::user_task_query("COUNT(*) AS n", query))
            .await
    }

    pub async fn complete_user_task(&self, id: &str, variables: Variables) -> EngineResult<()> {
        let row = sqlx::query("SELECT instance_id FROM engine_user_task WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("Cannot find task with id {id}")))?;
        let instance: String = get(&row, "instance_id")?;
        self.command(
            &instance,
            core::Consumes::UserTask(id),
            |model, state, now| {
                runtime::complete_task(model, state, id, variables, Variables::new(), now)
            },
        )
        .await?;
        Ok(())
    }
}
