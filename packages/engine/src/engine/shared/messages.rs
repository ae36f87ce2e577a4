// Message correlation: to waiting catch events and boundary events (by name, business key,
// instance id and correlation keys), else to a message start event of a latest definition.

use crate::runtime::{self, InstanceState};

impl Store {
    pub async fn correlate(
        &self,
        correlation: Correlation,
    ) -> EngineResult<Vec<CorrelationResult>> {
        let name = correlation.message_name.clone();
        if name.trim().is_empty() {
            return Err(EngineError::BadRequest("messageName is required".into()));
        }
        let mut waiting = Vec::new();
        if !correlation.start_messages_only {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT id, instance_id, target FROM engine_subscription WHERE message_name = ",
            );
            q.push_bind(name.clone());
            if let Some(bk) = &correlation.business_key {
                q.push(" AND business_key = ").push_bind(bk.clone());
            }
            if let Some(id) = &correlation.process_instance_id {
                q.push(" AND instance_id = ").push_bind(id.clone());
            }
            q.push(" ORDER BY created_at");
            for row in q.build().fetch_all(&self.read).await? {
                let (id, instance, target): (String, String, String) = (
                    get(&row, "id")?,
                    get(&row, "instance_id")?,
                    get(&row, "target")?,
                );
                if !correlation.correlation_keys.is_empty() {
                    let state = sqlx::query("SELECT state FROM engine_instance WHERE id = $1")
                        .bind(&instance)
                        .fetch_one(&self.read)
                        .await?;
                    let text: String = get(&state, "state")?;
                    let state: InstanceState = serde_json::from_str(&text).map_err(json_error)?;
                    let root = state.scopes.get(&state.id).map(|s| &s.variables);
                    let all_match = correlation.correlation_keys.iter().all(|(k, v)| {
                        root.and_then(|r| r.get(k)).map(|x| x.to_expression_value())
                            == Some(v.to_expression_value())
                    });
                    if !all_match {
                        continue;
                    }
                }
                waiting.push((id, instance, target));
            }
        }
        if !waiting.is_empty() {
            if waiting.len() > 1 && !correlation.all {
                return Err(EngineError::BadRequest(format!(
                    "Cannot correlate message '{name}': {} executions match the correlation keys",
                    waiting.len()
                )));
            }
            let mut results = Vec::new();
            for (subscription, instance, target) in waiting {
                let variables = correlation.process_variables.clone();
                let sub = subscription.clone();
                self.command(
                    &instance,
                    core::Consumes::Subscription(&subscription),
                    move |model, state, now| {
                        runtime::deliver_message(model, state, &sub, &target, variables, now)
                    },
                )
                .await?;
                results.push(CorrelationResult {
                    started: false,
                    execution_id: Some(instance.clone()),
                    instance: self.instance(&instance).await?,
                });
            }
            return Ok(results);
        }
        if correlation.process_instance_id.is_some() {
            return Err(EngineError::BadRequest(format!(
                "Cannot correlate message '{name}': No process definition or execution matches the parameters"
            )));
        }
        let mut starts = Vec::new();
        for definition in self
            .definitions(&DefinitionQuery {
                latest_version: true,
                ..Default::default()
            })
            .await?
        {
            let model = self.model(&definition.id, &self.read).await?;
            if let Some((element, _)) = model.message_starts().find(|(_, n)| *n == name) {
                starts.push((definition, model.element(element).id.clone()));
            }
        }
        if starts.is_empty() {
            return Err(EngineError::BadRequest(format!(
                "Cannot correlate message '{name}': No process definition or execution matches the parameters"
            )));
        }
        if starts.len() > 1 && !correlation.all {
            return Err(EngineError::BadRequest(format!(
                "Cannot correlate message '{name}': {} process definitions start on it",
                starts.len()
            )));
        }
        let mut results = Vec::new();
        for (definition, element) in starts {
            let instance = self
                .start_instance(
                    &definition,
                    correlation.business_key.clone(),
                    correlation.process_variables.clone(),
                    Some(&element),
                    None,
                    new_id(),
                )
                .await?;
            results.push(CorrelationResult {
                started: true,
                execution_id: None,
                instance,
            });
        }
        Ok(results)
    }
}
