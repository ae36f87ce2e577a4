//! The gRPC face, end to end: a real server on 127.0.0.1:0 over the backend under test, called
//! through the generated clients, health and reflection.

use carpetti_persist::PersistServer;
use carpetti_persist::store::DynStore;
use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::supplier_service_client::SupplierServiceClient;
use tokio::sync::oneshot;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

/// A running server; stops when dropped.
pub(crate) struct Running {
    pub(crate) channel: Channel,
    _stop: oneshot::Sender<()>,
}

/// Serves `store` on 127.0.0.1:0 and connects a channel to it.
pub(crate) async fn serve(store: DynStore) -> anyhow::Result<Running> {
    let server = PersistServer::with_store(store, "127.0.0.1:0".parse()?).await?;
    let address = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let channel = Channel::from_shared(format!("http://{address}"))?
        .connect()
        .await?;
    Ok(Running {
        channel,
        _stop: stop,
    })
}

fn supplier(code: &str) -> pb::Supplier {
    pb::Supplier {
        code: code.into(),
        name: "Оптовик".into(),
        feed_format: pb::FeedFormat::Yml.into(),
        active: true,
        ..Default::default()
    }
}

fn item(offer: &str, price: &str) -> pb::SupplierItem {
    pb::SupplierItem {
        offer_id: offer.into(),
        name: format!("Товар {offer}"),
        price: price.into(),
        available: true,
        barcodes: vec!["4006381333931".into()],
        ..Default::default()
    }
}

pub async fn health_and_reflection(store: DynStore) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let mut health = tonic_health::pb::health_client::HealthClient::new(running.channel.clone());
    for service in ["", "carpetti.persist.v1.SupplierService"] {
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            })
            .await?
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
    }

    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let mut reflection = ServerReflectionClient::new(running.channel.clone());
    let request = tonic_reflection::pb::v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await?
        .into_inner();
    let answer = answers.next().await.expect("one answer")?;
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        anyhow::bail!("unexpected reflection answer {answer:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "carpetti.persist.v1.SupplierService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    Ok(())
}

pub async fn invalid_argument_names_the_field(store: DynStore) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    let created = client.create_supplier(supplier("acme")).await?.into_inner();
    let supplier_id = created.meta.expect("meta").id;

    let mut negative = item("A-1", "-5");
    negative.supplier_id = supplier_id.clone();
    let status = client
        .create_supplier_item(negative)
        .await
        .expect_err("negative price");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("price"), "{}", status.message());
    let bad = status
        .get_error_details()
        .bad_request()
        .cloned()
        .expect("BadRequest detail");
    assert_eq!(bad.field_violations[0].field, "price");

    let status = client
        .create_supplier(supplier("  "))
        .await
        .expect_err("empty code");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("code"));

    let status = client
        .create_supplier(supplier("acme"))
        .await
        .expect_err("duplicate");
    assert_eq!(status.code(), Code::AlreadyExists);

    let mut orphan = item("A-2", "10");
    orphan.supplier_id = uuid::Uuid::now_v7().to_string();
    let status = client
        .create_supplier_item(orphan)
        .await
        .expect_err("unknown supplier");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("supplier_id"),
        "{}",
        status.message()
    );

    let status = client
        .get_supplier(api::GetRequest {
            id: "not-a-uuid".into(),
            ..Default::default()
        })
        .await
        .expect_err("bad id");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = client
        .get_supplier(api::GetRequest {
            key: "nobody".into(),
            ..Default::default()
        })
        .await
        .expect_err("missing");
    assert_eq!(status.code(), Code::NotFound);

    // nothing was written by the rejected requests
    let items = client
        .list_supplier_items(api::ListQuery::default())
        .await?
        .into_inner();
    assert!(items.items.is_empty());
    Ok(())
}

async fn upsert(
    client: &mut SupplierServiceClient<Channel>,
    chunks: Vec<api::UpsertSupplierItemsRequest>,
) -> Result<Vec<api::BulkUpsertResponse>, tonic::Status> {
    let mut stream = client
        .upsert_supplier_items(tokio_stream::iter(chunks))
        .await?
        .into_inner();
    let mut answers = Vec::new();
    while let Some(answer) = stream.message().await? {
        answers.push(answer);
    }
    Ok(answers)
}

fn outcomes(answers: &[api::BulkUpsertResponse]) -> Vec<(u64, String, api::ItemOutcome)> {
    answers
        .iter()
        .flat_map(|a| a.results.iter())
        .map(|r| (r.index, r.key.clone(), r.outcome()))
        .collect()
}

pub async fn bulk_stream_answers_per_item(store: DynStore) -> anyhow::Result<()> {
    use api::ItemOutcome::{Created, Rejected, Unchanged, Updated};
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    let supplier_id = client
        .create_supplier(supplier("bulk"))
        .await?
        .into_inner()
        .meta
        .expect("meta")
        .id;
    let chunk =
        |items: Vec<pb::SupplierItem>, with_supplier: bool| api::UpsertSupplierItemsRequest {
            supplier_id: if with_supplier {
                supplier_id.clone()
            } else {
                String::new()
            },
            import_run_id: String::new(),
            items,
            fingerprints: Vec::new(),
        };

    let first = upsert(
        &mut client,
        vec![
            chunk(
                vec![item("O-1", "100"), item("O-2", "-1"), item("O-3", "300")],
                true,
            ),
            chunk(
                vec![item("O-4", "400"), item("O-3", "301"), item("O-3", "302")],
                false,
            ),
        ],
    )
    .await?;
    assert_eq!(
        outcomes(&first),
        vec![
            (0, "O-1".into(), Created),
            (1, "O-2".into(), Rejected),
            (2, "O-3".into(), Created),
            (3, "O-4".into(), Created),
            (4, "O-3".into(), Rejected),
            (5, "O-3".into(), Updated),
        ]
    );
    let rejected = &first[0].results[1];
    assert_eq!(rejected.field, "price");
    assert!(rejected.reason.contains("negative"), "{}", rejected.reason);
    let summary = first.last().and_then(|a| a.summary).expect("summary last");
    assert_eq!(
        (
            summary.received,
            summary.created,
            summary.updated,
            summary.rejected
        ),
        (6, 3, 1, 2)
    );

    let stored = client
        .get_supplier_item(api::GetRequest {
            key: "O-3".into(),
            scope_id: supplier_id.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(stored.price, "302", "the later duplicate wins");
    assert_eq!(stored.supplier_code, "bulk");

    let again = upsert(
        &mut client,
        vec![chunk(
            vec![item("O-1", "100"), item("O-3", "302"), item("O-4", "450")],
            true,
        )],
    )
    .await?;
    assert_eq!(
        outcomes(&again),
        vec![
            (0, "O-1".into(), Unchanged),
            (1, "O-3".into(), Unchanged),
            (2, "O-4".into(), Updated)
        ]
    );
    let unchanged = &again[0].results[1];
    assert_eq!(
        unchanged.change_seq,
        stored.meta.expect("meta").change_seq,
        "no write on unchanged"
    );

    let status = upsert(&mut client, vec![chunk(vec![item("O-9", "1")], false)])
        .await
        .expect_err("no supplier");
    assert_eq!(status.code(), Code::InvalidArgument);
    Ok(())
}

pub async fn list_pages_through_cursor(store: DynStore) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    for i in 0..5 {
        client.create_supplier(supplier(&format!("s-{i}"))).await?;
    }
    let mut query = api::ListQuery {
        page_size: 2,
        ..Default::default()
    };
    let mut codes = Vec::new();
    loop {
        let page = client.list_suppliers(query.clone()).await?.into_inner();
        codes.extend(page.items.into_iter().map(|s| s.code));
        if page.next_cursor.is_empty() {
            break;
        }
        query.cursor = page.next_cursor;
    }
    assert_eq!(codes, ["s-0", "s-1", "s-2", "s-3", "s-4"]);
    let status = client
        .list_suppliers(api::ListQuery {
            cursor: "garbage".into(),
            ..Default::default()
        })
        .await
        .expect_err("bad cursor");
    assert_eq!(status.code(), Code::InvalidArgument);
    Ok(())
}

pub async fn fingerprints_answer_unchanged_or_content_needed(
    store: DynStore,
) -> anyhow::Result<()> {
    use api::ItemOutcome::{ContentNeeded, Created, Rejected, Unchanged};
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    let supplier_id = client
        .create_supplier(supplier("prints"))
        .await?
        .into_inner()
        .meta
        .expect("meta")
        .id;
    let first = upsert(
        &mut client,
        vec![api::UpsertSupplierItemsRequest {
            supplier_id: supplier_id.clone(),
            items: vec![item("F-1", "100"), item("F-2", "200")],
            ..Default::default()
        }],
    )
    .await?;
    assert_eq!(
        outcomes(&first),
        vec![(0, "F-1".into(), Created), (1, "F-2".into(), Created)]
    );
    let stored = client
        .get_supplier_item(api::GetRequest {
            key: "F-1".into(),
            scope_id: supplier_id.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let print = |offer: &str, hash: &str| api::ItemFingerprint {
        offer_id: offer.into(),
        content_hash: hash.into(),
    };
    let stale = "0".repeat(32);
    let answers = upsert(
        &mut client,
        vec![api::UpsertSupplierItemsRequest {
            supplier_id: supplier_id.clone(),
            // an item and fingerprints in one message: the item is answered first, and the
            // fingerprint of the item just written already sees its new hash
            items: vec![item("F-3", "300")],
            fingerprints: vec![
                print("F-1", &stored.content_hash),
                print("F-2", &stale),
                print("F-9", &stale),
                print("F-1", "not-a-hash"),
            ],
            ..Default::default()
        }],
    )
    .await?;
    assert_eq!(
        outcomes(&answers),
        vec![
            (0, "F-3".into(), Created),
            (1, "F-1".into(), Unchanged),
            (2, "F-2".into(), ContentNeeded),
            (3, "F-9".into(), ContentNeeded),
            (4, "F-1".into(), Rejected),
        ]
    );
    let results = &answers[0].results;
    assert_eq!(results[1].change_seq, stored.meta.expect("meta").change_seq);
    assert_eq!(results[4].field, "fingerprints[3].content_hash");
    let summary = answers.last().and_then(|a| a.summary).expect("summary");
    assert_eq!(
        (
            summary.received,
            summary.created,
            summary.unchanged,
            summary.content_needed,
            summary.rejected
        ),
        (5, 1, 1, 2, 1)
    );
    // nothing was written for fingerprints: F-2 still has its old price, F-9 does not exist
    let f2 = client
        .get_supplier_item(api::GetRequest {
            key: "F-2".into(),
            scope_id: supplier_id.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(f2.price, "200");
    let missing = client
        .get_supplier_item(api::GetRequest {
            key: "F-9".into(),
            scope_id: supplier_id,
            ..Default::default()
        })
        .await
        .expect_err("not created");
    assert_eq!(missing.code(), Code::NotFound);
    Ok(())
}
