//! `carpetti process start KEY [--business-key BK] [--var name=value]…`.

use anyhow::{Context as _, bail};
use carpetti_camunda::{CamundaClient, StartRequest, VariableValue, Variables};
use clap::Args;

use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The process key (the BPMN process id).
    pub key: String,
    #[arg(long)]
    pub business_key: Option<String>,
    /// A variable: `name=value`; the value is read as JSON when it parses (`42`, `true`,
    /// `{"a":1}`), else as a string.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

fn variables(pairs: &[String]) -> anyhow::Result<Variables> {
    let mut out = Variables::new();
    for pair in pairs {
        let Some((name, raw)) = pair.split_once('=') else {
            bail!("--var {pair}: expected NAME=VALUE");
        };
        if name.trim().is_empty() {
            bail!("--var {pair}: the name is empty");
        }
        let value =
            serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_owned()));
        let typed = match &value {
            serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                VariableValue::json(&value)
            }
            _ => VariableValue::untyped(value),
        };
        out.insert(name.trim().to_owned(), typed);
    }
    Ok(out)
}

pub async fn run(args: StartArgs, client: &CamundaClient, ctx: &Context) -> anyhow::Result<()> {
    let request = StartRequest {
        variables: variables(&args.vars)?,
        business_key: args.business_key.clone(),
        ..Default::default()
    };
    let instance = client
        .start_process_by_key(&args.key, &request)
        .await
        .with_context(|| format!("starting {}", args.key))?
        .instance;
    if ctx.json {
        output::json_line(
            &serde_json::json!({"id": instance.id, "definitionId": instance.definition_id, "businessKey": instance.business_key, "ended": instance.ended}),
        );
        return Ok(());
    }
    let mut table = output::table(["instance", "definition", "business key"]);
    table.add_row([
        instance.id.clone(),
        instance.definition_id.clone().unwrap_or_default(),
        instance.business_key.unwrap_or_default(),
    ]);
    output::line(&table.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_json_when_they_parse() {
        let vars = variables(&[
            "n=42".into(),
            "s=ООО Ромашка".into(),
            "o={\"a\":1}".into(),
            "t=true".into(),
        ])
        .expect("parsed");
        assert_eq!(vars["n"].value, serde_json::json!(42));
        assert_eq!(vars["s"].value, serde_json::json!("ООО Ромашка"));
        assert!(vars["o"].is_type("json"));
        assert_eq!(vars["t"].value, serde_json::json!(true));
        assert!(variables(&["novalue".into()]).is_err());
        assert!(variables(&["=1".into()]).is_err());
    }
}
