//! The test system: a real service_persist on a loopback port (SQLite, or PostgreSQL in its own
//! database), a gRPC client to it, an in-process cache, and a small catalog of kettles to publish.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Result;
use carpetti_cache::{DynCache, MemoryCache, MemoryOptions};
use carpetti_marketplace::RetryPolicy;
use carpetti_mp::channel::ChannelContext;
use carpetti_mp::connectors::ConnectOptions;
use carpetti_mp::publish::{PublishOptions, Publisher};
use carpetti_persist::PersistServer;
use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::{CallPolicy, PersistClient};
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Harness {
    pub persist: PersistClient,
    pub cache: DynCache,
    pub work: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _pg: Option<TestPgDatabase>,
    _sqlite: Option<TestSqliteDatabase>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// How a kettle of the test catalog is described.
pub struct Kettle {
    pub sku: &'static str,
    pub material: Option<&'static str>,
    pub category: bool,
}

impl Harness {
    pub async fn start(backend: Backend) -> Result<Self> {
        let (store, pg, sqlite): (DynStore, _, _) = match backend {
            Backend::Sqlite => {
                let db = TestSqliteDatabase::create()?;
                (
                    Arc::new(SqliteStore::open(&db.path()).await?),
                    None,
                    Some(db),
                )
            }
            Backend::Postgres => {
                let db = TestPgDatabase::create().await?;
                let options = PgOptions {
                    max_connections: 4,
                    connect_timeout: std::time::Duration::from_secs(10),
                    statement_timeout: std::time::Duration::from_secs(60),
                };
                (
                    Arc::new(PgStore::connect(db.url(), &options).await?),
                    Some(db),
                    None,
                )
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
        let cache: DynCache = Arc::new(MemoryCache::new(MemoryOptions::new("mp-test"))?);
        Ok(Self {
            persist,
            cache,
            work: tempfile::tempdir()?,
            stop: Some(stop),
            _pg: pg,
            _sqlite: sqlite,
        })
    }

    pub fn publisher(&self, follow_for: std::time::Duration) -> Publisher {
        Publisher::new(
            self.persist.clone(),
            self.cache.clone(),
            PublishOptions {
                poll_interval: std::time::Duration::from_millis(20),
                follow_for,
            },
        )
    }

    pub async fn channel(&self, code: &str) -> Result<ChannelContext> {
        let options = ConnectOptions {
            policy: RetryPolicy::quick(),
            pace: 1.0,
        };
        Ok(ChannelContext::load(&self.persist, code, &options).await?)
    }

    /// The catalog: category `kettles`; attributes power (number), volume (number), material
    /// (option: plastic, glass, metal, wood); and one product per kettle.
    pub async fn catalog(&self, kettles: &[Kettle]) -> Result<()> {
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
                let attribute_id = attribute.meta.map(|m| m.id).unwrap_or_default();
                for option in ["plastic", "glass", "metal", "wood"] {
                    structure
                        .clone()
                        .create_attribute_option(cat::AttributeOption {
                            attribute_id: attribute_id.clone(),
                            code: option.into(),
                            label: option.into(),
                            ..Default::default()
                        })
                        .await?;
                }
            }
        }
        for (index, kettle) in kettles.iter().enumerate() {
            use cat::attribute_value::Value;
            let mut values = vec![
                cat::AttributeValue {
                    attribute_code: "power".into(),
                    value: Some(Value::Number("2200".into())),
                },
                cat::AttributeValue {
                    attribute_code: "volume".into(),
                    value: Some(Value::Number("1.7".into())),
                },
            ];
            if let Some(material) = kettle.material {
                values.push(cat::AttributeValue {
                    attribute_code: "material".into(),
                    value: Some(Value::Options(cat::OptionCodes {
                        codes: vec![material.into()],
                    })),
                });
            }
            self.persist
                .products()
                .create_product(cat::Product {
                    sku: kettle.sku.into(),
                    name: format!("Электрочайник Carpetti {}", kettle.sku),
                    vendor: Some("Carpetti".into()),
                    vendor_code: Some(kettle.sku.into()),
                    description: Some("Чайник 1,7 л, 2200 Вт, автоотключение.".into()),
                    barcodes: vec![ean13(index)],
                    pictures: vec![format!("https://img.example.ru/{}.jpg", kettle.sku)],
                    dimensions: Some(cat::Dimensions {
                        length_mm: Some(220),
                        width_mm: Some(160),
                        height_mm: Some(250),
                    }),
                    weight_g: Some(1200),
                    price: format!("{}.00", 1990 + index * 10),
                    old_price: Some("2990.00".into()),
                    currency: "RUB".into(),
                    stock: 10 + index as i64,
                    vat: cat::Vat::Vat20 as i32,
                    category_id: kettle.category.then(|| category_id.clone()),
                    status: cat::ProductStatus::Active as i32,
                    values,
                    ..Default::default()
                })
                .await?;
        }
        Ok(())
    }

    /// Adds a channel with its settings, credentials, the category mapping and attribute maps.
    pub async fn add_channel(&self, channel: &ChannelSetup) -> Result<()> {
        let created = self
            .persist
            .channels()
            .create_channel(cat::Channel {
                code: channel.code.into(),
                name: channel.code.into(),
                kind: channel.kind as i32,
                active: true,
                settings: Some(carpetti_persist::grpc::convert::json_to_struct(
                    &channel.settings,
                )),
                ..Default::default()
            })
            .await?
            .into_inner();
        let channel_id = created.meta.map(|m| m.id).unwrap_or_default();
        self.persist
            .channels()
            .set_channel_credentials(api::SetChannelCredentialsRequest {
                channel: Some(api::GetRequest {
                    key: channel.code.into(),
                    ..Default::default()
                }),
                secrets: channel.credentials.clone().into_iter().collect(),
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
                external_id: channel.category.clone(),
                ..Default::default()
            })
            .await?;
        for (ours, theirs, values) in &channel.attributes {
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

    pub async fn listings(&self, code: &str) -> Result<BTreeMap<String, cat::Listing>> {
        let channel = self
            .persist
            .channels()
            .get_channel(key(code))
            .await?
            .into_inner();
        let page = self
            .persist
            .channels()
            .list_listings(api::ListQuery {
                page_size: 1000,
                channel_id: channel.meta.map(|m| m.id).unwrap_or_default(),
                ..Default::default()
            })
            .await?
            .into_inner();
        Ok(page.items.into_iter().map(|l| (l.sku.clone(), l)).collect())
    }
}

/// What a marketplace's channel needs in the tests.
pub struct ChannelSetup {
    pub code: &'static str,
    pub kind: cat::ChannelKind,
    pub settings: serde_json::Value,
    pub credentials: BTreeMap<String, String>,
    /// The marketplace's kettle category.
    pub category: String,
    /// (our attribute, theirs, our option → their value).
    pub attributes: Vec<(&'static str, String, BTreeMap<String, String>)>,
}

pub fn key(code: &str) -> api::GetRequest {
    api::GetRequest {
        key: code.into(),
        ..Default::default()
    }
}

/// A valid EAN-13 for index `i`.
pub fn ean13(i: usize) -> String {
    let body = format!("460{:09}", 100_000 + i);
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(n, d)| if n % 2 == 0 { *d } else { d * 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}
