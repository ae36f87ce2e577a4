//! The supplier of an import, created on first use (code = name = `--supplier`) in the
//! embedded system's persist, or in a running system's with `--persist`.

use anyhow::Context as _;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_provider::format::Format;

use super::{ImportArgs, is_url};

/// Creates the supplier on first use (code = name = `--supplier`, format from the flag or the
/// file name, a URL source as its feed_url).
pub(super) async fn ensure(
    client: &carpetti_repo::PersistClient,
    args: &ImportArgs,
    format: Option<Format>,
) -> anyhow::Result<()> {
    let lookup = api::GetRequest {
        key: args.supplier.clone(),
        ..Default::default()
    };
    match client.suppliers().get_supplier(lookup).await {
        Ok(_) => return Ok(()),
        Err(status) if status.code() == tonic::Code::NotFound => {}
        Err(status) => return Err(status).context("reading the supplier"),
    }
    let format = format
        .or_else(|| Format::from_file_name(&args.source))
        .unwrap_or(Format::Yml);
    let supplier = cat::Supplier {
        code: args.supplier.clone(),
        name: args.supplier.clone(),
        feed_url: is_url(&args.source).then(|| args.source.clone()),
        feed_format: super::proto_format(format),
        active: true,
        ..Default::default()
    };
    client
        .suppliers()
        .create_supplier(supplier)
        .await
        .with_context(|| format!("creating supplier {}", args.supplier))?;
    tracing::info!(supplier = %args.supplier, "created the supplier");
    Ok(())
}
