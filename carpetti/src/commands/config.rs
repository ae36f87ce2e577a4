//! `carpetti config`: the effective configuration, where each value came from, secrets masked.

use clap::Args;

use crate::context::Context;
use crate::output;

/// `carpetti config` takes only the global flags.
#[derive(Debug, Args)]
pub struct ConfigArgs {}

/// Prints the masked configuration: a key/value/source table, or its JSON with `--json`.
pub fn run(_args: ConfigArgs, ctx: &Context) -> anyhow::Result<()> {
    let masked = ctx.config.masked();
    if ctx.json {
        output::json_line(&masked);
        return Ok(());
    }
    let mut table = output::table(["key", "value", "source"]);
    for key in carpetti_config::KEYS {
        let pointer = format!("/{}", key.replace('.', "/"));
        let value = match masked.pointer(&pointer) {
            None | Some(serde_json::Value::Null) => "(unset)".to_owned(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        table.add_row([*key, &value, &carpetti_config::source_of(&ctx.figment, key)]);
    }
    table.add_row([
        "→ database in use",
        &ctx.config.database_target().describe(),
        "derived",
    ]);
    match &ctx.config_file {
        Some(file) => println!("Configuration file: {}", file.display()),
        None => println!("Configuration file: none (defaults and environment)"),
    }
    println!("{table}");
    Ok(())
}
