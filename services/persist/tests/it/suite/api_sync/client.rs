//! The client side of the gRPC sync tests: a server on 127.0.0.1:0 over the backend under test,
//! realistic offers, and a supplier with the calls an importer makes.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::import_service_client::ImportServiceClient;
use carpetti_proto::persist::v1::supplier_service_client::SupplierServiceClient;
use tonic::{Code, Status};
use tonic_types::StatusExt;

pub(crate) use crate::suite::api::{Running, serve};
use tonic::transport::Channel;

/// The field an INVALID_ARGUMENT names in its BadRequest detail.
pub(crate) fn bad_field(status: &Status) -> String {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations[0].field.clone())
        .unwrap_or_default()
}

/// A realistic offer; every seventh one unavailable.
pub(crate) fn offer(i: usize) -> pb::SupplierItem {
    pb::SupplierItem {
        offer_id: format!("S-{i:05}"),
        name: format!("Перфоратор SDS-plus {i}"),
        vendor: Some("Makita".into()),
        vendor_code: Some(format!("HR{i}")),
        barcodes: vec!["4006381333931".into()],
        description: Some("<p>Мощность 800 Вт, три режима</p>".into()),
        category_name: Some("Инструмент/Перфораторы".into()),
        pictures: vec![format!("https://img.example/{i}.jpg")],
        price: format!("{}.90", 5_000 + i),
        currency: "RUB".into(),
        stock: Some((i % 13) as i64),
        available: i % 7 != 3,
        pack_quantity: 1,
        params: vec![pb::Param {
            name: "Мощность".into(),
            value: "800".into(),
            unit: Some("Вт".into()),
        }],
        ..Default::default()
    }
}

/// A supplier created over gRPC, with a client to its service.
pub(crate) struct Supplier {
    pub(crate) client: SupplierServiceClient<Channel>,
    pub(crate) id: String,
}

pub(crate) async fn supplier(running: &Running, code: &str) -> anyhow::Result<Supplier> {
    let mut client = SupplierServiceClient::new(running.channel.clone());
    let created = client
        .create_supplier(pb::Supplier {
            code: code.into(),
            name: "Инструмент-Опт".into(),
            feed_format: pb::FeedFormat::Yml.into(),
            active: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    let id = created.meta.map(|m| m.id).unwrap_or_default();
    Ok(Supplier { client, id })
}

impl Supplier {
    /// Upserts items in chunks of 5,000; returns the per-item outcomes.
    pub(crate) async fn upsert(
        &mut self,
        run: &str,
        items: Vec<pb::SupplierItem>,
    ) -> anyhow::Result<Vec<api::ItemOutcome>> {
        let chunks: Vec<api::UpsertSupplierItemsRequest> = items
            .chunks(5_000)
            .map(|chunk| api::UpsertSupplierItemsRequest {
                supplier_id: self.id.clone(),
                import_run_id: run.into(),
                items: chunk.to_vec(),
                fingerprints: Vec::new(),
            })
            .collect();
        let mut answers = self
            .client
            .upsert_supplier_items(tokio_stream::iter(chunks))
            .await?
            .into_inner();
        let mut outcomes = Vec::new();
        while let Some(answer) = answers.message().await? {
            outcomes.extend(answer.results.iter().map(|r| r.outcome()));
        }
        Ok(outcomes)
    }

    pub(crate) async fn hashes(
        &mut self,
        only_available: bool,
    ) -> Result<Vec<api::SupplierItemHashesChunk>, Status> {
        let mut stream = self
            .client
            .list_supplier_item_hashes(api::ListSupplierItemHashesRequest {
                supplier_id: self.id.clone(),
                only_available,
                after_offer_id: String::new(),
            })
            .await?
            .into_inner();
        let mut chunks = Vec::new();
        while let Some(chunk) = stream.message().await? {
            chunks.push(chunk);
        }
        Ok(chunks)
    }

    pub(crate) async fn items(
        &mut self,
        only_available: bool,
    ) -> Result<Vec<api::SupplierItemsChunk>, Status> {
        self.items_after(only_available, "").await
    }

    /// The item stream, resumed after `after` (empty: from the first).
    pub(crate) async fn items_after(
        &mut self,
        only_available: bool,
        after: &str,
    ) -> Result<Vec<api::SupplierItemsChunk>, Status> {
        let mut stream = self
            .client
            .stream_supplier_items(api::StreamSupplierItemsRequest {
                supplier_id: self.id.clone(),
                only_available,
                after_offer_id: after.into(),
            })
            .await?
            .into_inner();
        let mut chunks = Vec::new();
        while let Some(chunk) = stream.message().await? {
            chunks.push(chunk);
        }
        Ok(chunks)
    }

    pub(crate) async fn gone(
        &mut self,
        run: &str,
        offers: &[&str],
    ) -> Result<api::MarkSupplierItemsGoneResponse, Status> {
        Ok(self
            .client
            .mark_supplier_items_gone(api::MarkSupplierItemsGoneRequest {
                supplier_id: self.id.clone(),
                import_run_id: run.into(),
                offer_ids: offers.iter().map(|o| o.to_string()).collect(),
            })
            .await?
            .into_inner())
    }

    pub(crate) async fn get(&mut self, offer: &str) -> anyhow::Result<pb::SupplierItem> {
        Ok(self
            .client
            .get_supplier_item(api::GetRequest {
                key: offer.into(),
                scope_id: self.id.clone(),
                ..Default::default()
            })
            .await?
            .into_inner())
    }
}

pub(crate) async fn start_run(running: &Running, supplier_id: &str) -> anyhow::Result<String> {
    let run = ImportServiceClient::new(running.channel.clone())
        .create_import_run(pb::ImportRun {
            supplier_id: supplier_id.into(),
            source: "feed.yml".into(),
            status: pb::ImportRunStatus::Running.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    Ok(run.meta.map(|m| m.id).unwrap_or_default())
}
