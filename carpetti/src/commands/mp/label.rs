//! `carpetti mp label --channel CODE --order ID`: packs the order (idempotent) and keeps its label
//! under the data dir's files, metadata in the catalog.

use clap::Args;

use carpetti_mp::files::LocalFiles;

use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct LabelArgs {
    #[arg(long, value_name = "CODE")]
    pub channel: String,
    /// The marketplace's order id (posting number, assembly task, order, shipment).
    #[arg(long, value_name = "ID")]
    pub order: String,
    /// Only fetch the label; do not pack the order first.
    #[arg(long)]
    pub no_pack: bool,
}

pub async fn run(args: LabelArgs, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let channel = super::channel(access, &args.channel).await?;
    if !args.no_pack {
        channel
            .connector
            .pack(&args.order)
            .await
            .map_err(|e| anyhow::anyhow!("packing {}: {e}", args.order))?;
    }
    let files = LocalFiles::new(access.data_dir.join("files"));
    let stored = carpetti_mp::labels::fetch_label(&access.client, &channel, &files, &args.order)
        .await
        .map_err(|e| anyhow::anyhow!("label of {}: {e}", args.order))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&stored)?);
        return Ok(());
    }
    let mut table = output::table(["order", "file", "type", "bytes", "sha256"]);
    table.add_row([
        stored.order_external_id.as_str(),
        &access
            .data_dir
            .join("files")
            .join(&stored.storage_key)
            .display()
            .to_string(),
        stored.content_type.as_str(),
        &stored.size_bytes.to_string(),
        &stored.sha256[..16.min(stored.sha256.len())],
    ]);
    output::line(&table.to_string());
    Ok(())
}
