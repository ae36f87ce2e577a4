//! The gRPC face of service_provider (`carpetti.provider.v1.ProviderService`), and the one place
//! import errors become gRPC statuses.

use std::io::Write;
use std::sync::Arc;

use carpetti_proto::provider::v1 as pb;
use carpetti_proto::provider::v1::provider_service_server::ProviderService;
use futures::StreamExt;
use tonic::{Request, Response, Status, Streaming};

use crate::format::Format;
use crate::import::{ImportError, ImportRequest, Importer, NoProgress, Upload};

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: u64 = 2 << 30;

/// [`ProviderService`] over an [`Importer`].
pub struct Provider {
    importer: Arc<Importer>,
    work_dir: std::path::PathBuf,
}

impl Provider {
    pub fn new(importer: Arc<Importer>, work_dir: std::path::PathBuf) -> Self {
        Self { importer, work_dir }
    }
}

/// Import errors as statuses.
pub fn status(err: ImportError) -> Status {
    match &err {
        ImportError::UnknownSupplier(_) | ImportError::UnknownRun(_) => {
            Status::not_found(err.to_string())
        }
        ImportError::BadSupplier { .. } => Status::failed_precondition(err.to_string()),
        ImportError::Persist { code, .. } if *code == tonic::Code::InvalidArgument => {
            Status::failed_precondition(err.to_string())
        }
        ImportError::Persist { .. } => Status::unavailable(err.to_string()),
        ImportError::Source(_) | ImportError::Feed(_) | ImportError::Spool(_) => {
            Status::internal(err.to_string())
        }
    }
}

fn format_of(value: i32) -> Result<Option<Format>, Status> {
    if value == 0 {
        return Ok(None);
    }
    Format::from_proto(value)
        .map(Some)
        .ok_or_else(|| Status::invalid_argument(format!("format: unknown value {value}")))
}

#[tonic::async_trait]
impl ProviderService for Provider {
    async fn import_supplier(
        &self,
        request: Request<pb::ImportSupplierRequest>,
    ) -> Result<Response<pb::ImportReport>, Status> {
        let request = request.into_inner();
        if request.supplier_code.trim().is_empty() {
            return Err(Status::invalid_argument("supplier_code: is required"));
        }
        let import = ImportRequest {
            supplier_code: request.supplier_code,
            source: request.source.filter(|s| !s.trim().is_empty()),
            upload: None,
            format: format_of(request.format)?,
            force: request.force,
        };
        let report = self.importer.import(import, Arc::new(NoProgress)).await;
        report.map(Response::new).map_err(status)
    }

    async fn upload_feed(
        &self,
        request: Request<Streaming<pb::UploadFeedRequest>>,
    ) -> Result<Response<pb::ImportReport>, Status> {
        let mut stream = request.into_inner();
        let first = stream
            .next()
            .await
            .ok_or_else(|| Status::invalid_argument("the upload is empty"))??;
        if first.supplier_code.trim().is_empty() {
            return Err(Status::invalid_argument(
                "supplier_code: is required in the first message",
            ));
        }
        let supplier_code = first.supplier_code.clone();
        let name = if first.file_name.is_empty() {
            "upload".to_owned()
        } else {
            first.file_name.clone()
        };
        let format = match format_of(first.format)? {
            Some(format) => Some(format),
            None => Format::from_file_name(&name),
        };
        let mut file = tempfile::Builder::new()
            .prefix("carpetti-upload-")
            .tempfile_in(&self.work_dir)
            .map_err(|err| Status::internal(format!("storing the upload: {err}")))?;
        let mut size = 0u64;
        let mut chunk = Some(first);
        while let Some(message) = chunk.take() {
            size += message.data.len() as u64;
            if size > MAX_UPLOAD_BYTES {
                return Err(Status::resource_exhausted(format!(
                    "the upload is larger than {MAX_UPLOAD_BYTES} bytes"
                )));
            }
            file.write_all(&message.data)
                .map_err(|err| Status::internal(format!("storing the upload: {err}")))?;
            // A broken upload ends here with its error: nothing was imported.
            chunk = stream.next().await.transpose()?;
        }
        if size == 0 {
            // Bad input, not a broken feed: no run is recorded for it.
            return Err(Status::invalid_argument("the upload has no data"));
        }
        file.flush()
            .map_err(|err| Status::internal(format!("storing the upload: {err}")))?;
        let path = file.into_temp_path();
        let import = ImportRequest {
            supplier_code,
            source: None,
            upload: Some(Upload {
                path: path.to_path_buf(),
                name: format!("upload: {name}"),
            }),
            format,
            force: true,
        };
        let report = self.importer.import(import, Arc::new(NoProgress)).await;
        drop(path); // the stored upload is removed once imported
        report.map(Response::new).map_err(status)
    }

    async fn get_import_report(
        &self,
        request: Request<pb::GetImportReportRequest>,
    ) -> Result<Response<pb::ImportReport>, Status> {
        let request = request.into_inner();
        if request.import_run_id.trim().is_empty() {
            return Err(Status::invalid_argument("import_run_id: is required"));
        }
        // Checked here: persist's INVALID_ARGUMENT would reach the caller as a failed
        // precondition of the import (see `status`).
        if uuid::Uuid::parse_str(request.import_run_id.trim()).is_err() {
            return Err(Status::invalid_argument(format!(
                "import_run_id: {:?} is not a UUID",
                request.import_run_id
            )));
        }
        let max = if request.max_rejected == 0 {
            100
        } else {
            request.max_rejected
        };
        let report = self.importer.report(&request.import_run_id, max).await;
        report.map(Response::new).map_err(status)
    }
}
