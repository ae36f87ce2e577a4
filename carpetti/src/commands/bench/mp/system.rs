//! The benchmark's persist (SQLite in a scratch directory, served on a loopback port), its
//! catalog of generated kettles, and one channel per sandbox.

use std::sync::Arc;

use anyhow::Context as _;
use carpetti_persist::PersistServer;
use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::{CallPolicy, PersistClient};
use futures::StreamExt;
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::str::FromStr as _;

use super::markets::Sandbox;

/// Products per upsert message.
const CHUNK: usize = 2_000;

pub struct System {
    pub persist: PersistClient,
    pub backend: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The scratch PostgreSQL database (admin connection options, name), dropped at the end.
    pg: Option<(PgConnectOptions, String)>,
}

impl Drop for System {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl System {
    /// Persist on SQLite in a scratch directory, or on PostgreSQL in a scratch database of the
    /// server at `database_url`.
    pub async fn start(database_url: Option<&str>) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("making a scratch directory")?;
        let mut pg = None;
        let (store, backend): (DynStore, String) = match database_url {
            None => (
                Arc::new(SqliteStore::open(&dir.path().join("carpetti.db")).await?),
                "SQLite".to_owned(),
            ),
            Some(url) => {
                let admin = PgConnectOptions::from_str(url).context("parsing --database-url")?;
                let name = format!("carpetti_bench_mp_{}", uuid::Uuid::now_v7().simple());
                let mut conn = PgConnection::connect_with(&admin).await.with_context(|| {
                    format!(
                        "PostgreSQL is not reachable at {}",
                        carpetti_config::mask_url(url)
                    )
                })?;
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await?;
                let options = PgOptions {
                    max_connections: 16,
                    connect_timeout: std::time::Duration::from_secs(10),
                    statement_timeout: std::time::Duration::from_secs(600),
                };
                let store = PgStore::connect_with(admin.clone().database(&name), &options).await?;
                pg = Some((admin, name));
                (Arc::new(store), "PostgreSQL".to_owned())
            }
        };
        let server = PersistServer::with_store(store, "127.0.0.1:0".parse()?).await?;
        let address = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let (_tx, watch) = tokio::sync::watch::channel(vec![address]);
        let persist = PersistClient::new(watch, CallPolicy::default(), Vec::new());
        Ok(Self {
            persist,
            backend,
            _dir: dir,
            stop: Some(stop),
            pg,
        })
    }

    /// Stops persist and drops the scratch PostgreSQL database.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some((admin, name)) = self.pg.take() {
            let mut conn = PgConnection::connect_with(&admin).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// `products` kettles in category `kettles` with power, volume and material values.
    pub async fn catalog(&self, products: usize) -> anyhow::Result<()> {
        let structure = self.persist.structure();
        let category = structure
            .clone()
            .create_category(cat::Category {
                code: "kettles".into(),
                name: "Чайники".into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        let category_id = category.meta.map(|m| m.id).unwrap_or_default();
        for (code, kind) in [
            ("power", cat::AttributeKind::Number),
            ("volume", cat::AttributeKind::Number),
            ("material", cat::AttributeKind::Option),
        ] {
            let attribute = structure
                .clone()
                .create_attribute(cat::Attribute {
                    code: code.into(),
                    name: code.into(),
                    kind: kind as i32,
                    ..Default::default()
                })
                .await?
                .into_inner();
            if kind == cat::AttributeKind::Option {
                for option in ["plastic", "glass", "metal"] {
                    structure
                        .clone()
                        .create_attribute_option(cat::AttributeOption {
                            attribute_id: attribute
                                .meta
                                .as_ref()
                                .map(|m| m.id.clone())
                                .unwrap_or_default(),
                            code: option.into(),
                            label: option.into(),
                            ..Default::default()
                        })
                        .await?;
                }
            }
        }
        let all: Vec<cat::Product> = (0..products).map(|i| kettle(i, &category_id)).collect();
        for chunk in all.chunks(CHUNK) {
            let mut answers = self
                .persist
                .products()
                .upsert_products(futures::stream::iter([api::UpsertProductsRequest {
                    items: chunk.to_vec(),
                }]))
                .await?
                .into_inner();
            while let Some(answer) = answers.next().await {
                let answer = answer?;
                if let Some(rejected) = answer.results.iter().find(|r| !r.reason.is_empty()) {
                    anyhow::bail!("the bench catalog was refused: {}", rejected.reason);
                }
            }
        }
        Ok(())
    }

    /// A channel `code` pointing at `sandbox`, with its mappings.
    pub async fn channel(&self, code: &str, sandbox: &Sandbox) -> anyhow::Result<()> {
        let channel = self
            .persist
            .channels()
            .create_channel(cat::Channel {
                code: code.into(),
                name: code.into(),
                kind: sandbox.kind as i32,
                active: true,
                settings: Some(carpetti_persist::grpc::convert::json_to_struct(
                    &sandbox.settings,
                )),
                ..Default::default()
            })
            .await?
            .into_inner();
        let channel_id = channel.meta.map(|m| m.id).unwrap_or_default();
        self.persist
            .channels()
            .set_channel_credentials(api::SetChannelCredentialsRequest {
                channel: Some(key(code)),
                secrets: sandbox.credentials.clone().into_iter().collect(),
            })
            .await?;
        let category = self
            .persist
            .structure()
            .get_category(key("kettles"))
            .await?
            .into_inner();
        self.persist
            .channels()
            .create_channel_category_map(cat::ChannelCategoryMap {
                channel_id: channel_id.clone(),
                category_id: category.meta.map(|m| m.id).unwrap_or_default(),
                external_id: sandbox.category.clone(),
                ..Default::default()
            })
            .await?;
        for (ours, theirs, values) in &sandbox.attributes {
            let attribute = self
                .persist
                .structure()
                .get_attribute(key(ours))
                .await?
                .into_inner();
            self.persist
                .channels()
                .create_channel_attribute_map(cat::ChannelAttributeMap {
                    channel_id: channel_id.clone(),
                    attribute_id: attribute.meta.map(|m| m.id).unwrap_or_default(),
                    external_id: theirs.clone(),
                    value_map: values.clone().into_iter().collect(),
                    ..Default::default()
                })
                .await?;
        }
        Ok(())
    }
}

fn key(code: &str) -> api::GetRequest {
    api::GetRequest {
        key: code.into(),
        ..Default::default()
    }
}

fn kettle(i: usize, category_id: &str) -> cat::Product {
    use cat::attribute_value::Value;
    let material = ["plastic", "glass", "metal"][i % 3];
    cat::Product {
        sku: format!("KT-{i:06}"),
        name: format!("Электрочайник Carpetti KT-{i:06}, {} л", 1 + i % 2),
        vendor: Some("Carpetti".into()),
        vendor_code: Some(format!("KT{i:06}")),
        description: Some(
            "Электрочайник: 2200 Вт, 1,7 л, автоотключение, защита от перегрева.".into(),
        ),
        barcodes: vec![super::ean13(i)],
        pictures: vec![format!("https://img.example.ru/kt/{i}.jpg")],
        dimensions: Some(cat::Dimensions {
            length_mm: Some(220),
            width_mm: Some(160),
            height_mm: Some(250),
        }),
        weight_g: Some(1200),
        price: format!("{}.00", 1990 + (i % 50) * 10),
        old_price: Some("3490.00".into()),
        currency: "RUB".into(),
        stock: (i % 40) as i64,
        vat: cat::Vat::Vat20 as i32,
        category_id: Some(category_id.to_owned()),
        status: cat::ProductStatus::Active as i32,
        values: vec![
            cat::AttributeValue {
                attribute_code: "power".into(),
                value: Some(Value::Number("2200".into())),
            },
            cat::AttributeValue {
                attribute_code: "volume".into(),
                value: Some(Value::Number("1.7".into())),
            },
            cat::AttributeValue {
                attribute_code: "material".into(),
                value: Some(Value::Options(cat::OptionCodes {
                    codes: vec![material.into()],
                })),
            },
        ],
        ..Default::default()
    }
}
