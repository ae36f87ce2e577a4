//! `carpetti import --provider HOST:PORT`: a running service_provider imports; a file is uploaded
//! to it in chunks (with a progress bar), a URL is fetched by the provider itself.

use std::time::Duration;

use anyhow::Context as _;
use carpetti_proto::provider::v1 as pb;
use carpetti_proto::provider::v1::provider_service_client::ProviderServiceClient;
use secrecy::ExposeSecret;
use tokio::io::AsyncReadExt;
use tonic::metadata::MetadataValue;
use tonic::transport::Endpoint;

use super::progress::Bars;
use super::{ImportArgs, is_url};
use crate::context::Context;
use crate::platform::ServiceKeys;

/// Bytes per upload message.
const CHUNK: usize = 1 << 20;
/// The longest a remote import may take.
const TIMEOUT: Duration = Duration::from_secs(3600);

pub async fn run(
    args: &ImportArgs,
    address: &str,
    ctx: &Context,
) -> anyhow::Result<pb::ImportReport> {
    let endpoint = Endpoint::from_shared(format!("http://{address}"))
        .with_context(|| format!("--provider {address}"))?
        .connect_timeout(Duration::from_secs(5))
        .timeout(TIMEOUT);
    let channel = endpoint
        .connect()
        .await
        .with_context(|| format!("cannot reach service_provider at {address}"))?;
    // With a signing key configured, calls carry this command's service token.
    let keys = ServiceKeys::load(&ctx.config.auth, false)?;
    let issuer = keys.issuer("cli")?;
    let mut client =
        ProviderServiceClient::with_interceptor(channel, move |mut request: tonic::Request<()>| {
            if let Some(issuer) = &issuer {
                let token = issuer
                    .token(carpetti_provider::SERVICE_NAME)
                    .map_err(|err| tonic::Status::unauthenticated(err.to_string()))?;
                let value = MetadataValue::try_from(format!("Bearer {}", token.expose_secret()))
                    .map_err(|err| tonic::Status::unauthenticated(err.to_string()))?;
                request.metadata_mut().insert("authorization", value);
            }
            Ok(request)
        })
        .max_decoding_message_size(16 << 20);
    if let Some(persist) = args.persist {
        let platform =
            crate::platform::Platform::build(&ctx.config, crate::platform::Mode::Up).await?;
        let client = platform.persist_client("cli", Some(persist))?;
        let format = args.format.map(super::FormatArg::format);
        super::supplier::ensure(&client, args, format).await?;
    }
    let format = args.format.map_or(0, |f| super::proto_format(f.format()));
    if is_url(&args.source) {
        let request = pb::ImportSupplierRequest {
            supplier_code: args.supplier.clone(),
            source: Some(args.source.clone()),
            format,
            force: args.force,
        };
        let report = client.import_supplier(request).await;
        return answer(args, report);
    }
    let mut file = tokio::fs::File::open(&args.source)
        .await
        .with_context(|| format!("opening {}", args.source))?;
    let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let bars = Bars::new(!ctx.json);
    bars.upload_started(size);
    let name = std::path::Path::new(&args.source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::UploadFeedRequest>(4);
    let supplier = args.supplier.clone();
    let reader = async move {
        let mut first = true;
        let mut sent = 0u64;
        loop {
            let mut data = vec![0u8; CHUNK];
            let n = file.read(&mut data).await?;
            if n == 0 && !first {
                return Ok::<(), std::io::Error>(());
            }
            data.truncate(n);
            sent += n as u64;
            let message = pb::UploadFeedRequest {
                supplier_code: if first {
                    supplier.clone()
                } else {
                    String::new()
                },
                file_name: if first { name.clone() } else { String::new() },
                format: if first { format } else { 0 },
                data,
            };
            first = false;
            if tx.send(message).await.is_err() {
                return Ok(());
            }
            bars.uploaded(sent);
            if n == 0 {
                return Ok(());
            }
        }
    };
    let upload = client.upload_feed(tokio_stream::wrappers::ReceiverStream::new(rx));
    let (read, report) = tokio::join!(reader, upload);
    read.with_context(|| format!("reading {}", args.source))?;
    answer(args, report)
}

/// The provider's answer; an unknown supplier says how to have it created.
fn answer(
    args: &ImportArgs,
    report: Result<tonic::Response<pb::ImportReport>, tonic::Status>,
) -> anyhow::Result<pb::ImportReport> {
    match report {
        Ok(report) => Ok(report.into_inner()),
        Err(status) if status.code() == tonic::Code::NotFound && args.persist.is_none() => {
            Err(anyhow::anyhow!(
                "{}: the running system has no supplier {}; add --persist HOST:PORT (its \
                 service_persist) to create it on first use",
                status.message(),
                args.supplier
            ))
        }
        Err(status) => Err(status).context("the provider's import"),
    }
}
