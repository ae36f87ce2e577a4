//! `carpetti import` on the embedded system: the import runs in this process.

use std::sync::Arc;

use carpetti_proto::provider::v1 as pb;
use carpetti_provider::format::Format;
use carpetti_provider::import::{ImportRequest, Upload};

use super::progress::Bars;
use super::{ImportArgs, is_url};
use crate::commands::local::LocalSystem;
use crate::context::Context;
use crate::services;

pub async fn run(args: &ImportArgs, ctx: &Context) -> anyhow::Result<pb::ImportReport> {
    let local = LocalSystem::start(ctx).await?;
    let result = import(args, ctx, &local).await;
    local.stop().await?;
    result
}

async fn import(
    args: &ImportArgs,
    ctx: &Context,
    local: &LocalSystem,
) -> anyhow::Result<pb::ImportReport> {
    let client = local.persist(carpetti_provider::SERVICE_NAME)?;
    let format = args.format.map(super::FormatArg::format);
    super::supplier::ensure(&client, args, format).await?;
    let importer = services::provider_importer(&ctx.config, &local.platform)?;
    let (source, upload) = if is_url(&args.source) {
        (Some(args.source.clone()), None)
    } else {
        let path = std::path::PathBuf::from(&args.source);
        let name = std::path::absolute(&path).unwrap_or(path.clone());
        let upload = Upload {
            name: name.display().to_string(),
            path,
        };
        (None, Some(upload))
    };
    let request = ImportRequest {
        supplier_code: args.supplier.clone(),
        source,
        upload,
        format: format.or_else(|| Format::from_file_name(&args.source)),
        force: args.force,
    };
    let bars = Arc::new(Bars::new(!ctx.json));
    let report = importer.import(request, bars.clone()).await;
    bars.finish();
    Ok(report?)
}
