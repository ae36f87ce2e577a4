//! Writing orders: line numbering, status history, keys, rejected writes.

use carpetti_persist::StoreError;
use carpetti_persist::model::order::{Order, OrderLine, OrderStatus, StatusAuthor};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;

use super::{by, channel, customer, field, line, order};

pub async fn order_create_numbers_lines_and_starts_history(store: DynStore) -> anyhow::Result<()> {
    let ch = channel(&store, "ozon").await?;
    let buyer = store
        .create_customer(customer("Анна", Some("anna@example.com"), None))
        .await?;
    let mut value = order(ch, "OZ-1001");
    value.customer_id = Some(buyer.meta.id);
    let before = carpetti_util::now();
    let created = store
        .create_order(value.clone(), StatusAuthor::default())
        .await?;
    assert_eq!(created.refs.get("channel_code"), "ozon");
    assert_eq!(
        created
            .value
            .lines
            .iter()
            .map(|l| l.line_no)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(created.value.lines.iter().all(|l| l.id.is_some()));
    assert_eq!(created.value.lines[1].quantity.get(), 2);
    assert_eq!(created.value.lines[0].price.to_string(), "2990.5");
    assert_eq!(created.value.total.to_string(), "3100.5");
    assert_eq!(created.value.shipping_address, value.shipping_address);
    assert_eq!(created.value.placed_at, value.placed_at);
    assert_eq!(created.value.history.len(), 1);
    let first = &created.value.history[0];
    assert_eq!(
        (first.status, first.source.as_str(), first.note.as_deref()),
        (OrderStatus::New, "api", None)
    );
    assert!(first.changed_at >= before);

    let by_key = store
        .get_order(&Lookup::ScopedKey(ch, "OZ-1001".into()))
        .await?;
    assert_eq!(by_key, created);
    assert_eq!(
        store.get_order(&Lookup::Id(created.meta.id)).await?,
        created
    );
    let err = store
        .get_order(&Lookup::ScopedKey(ch, "OZ-404".into()))
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    // explicit numbers are kept; the author of the first status is recorded
    let mut numbered = order(ch, "OZ-1002");
    numbered.lines[0].line_no = 7;
    numbered.lines[1].line_no = 3;
    numbered.status = OrderStatus::Confirmed;
    let second = store
        .create_order(numbered, by("ozon", Some("imported")))
        .await?;
    assert_eq!(
        second
            .value
            .lines
            .iter()
            .map(|l| l.line_no)
            .collect::<Vec<_>>(),
        vec![3, 7]
    );
    assert_eq!(second.value.history[0].source, "ozon");
    assert_eq!(second.value.history[0].note.as_deref(), Some("imported"));
    assert_eq!(second.value.history[0].status, OrderStatus::Confirmed);

    // a line matched to one of our products
    let product = store
        .create_product(crate::suite::links::product("KETTLE-1"))
        .await?;
    let mut matched = order(ch, "OZ-1003");
    matched.lines[0].product_id = Some(product.meta.id);
    matched.lines[0].sku = Some("KETTLE-1".into());
    let third = store.create_order(matched, StatusAuthor::default()).await?;
    assert_eq!(third.value.lines[0].product_id, Some(product.meta.id));
    assert_eq!(third.value.lines[0].sku.as_deref(), Some("KETTLE-1"));
    Ok(())
}

pub async fn order_update_replaces_lines_and_appends_history(
    store: DynStore,
) -> anyhow::Result<()> {
    let ch = channel(&store, "wb").await?;
    let created = store
        .create_order(order(ch, "WB-1"), StatusAuthor::default())
        .await?;
    let old_line_ids: Vec<_> = created.value.lines.iter().map(|l| l.id).collect();

    // same status: lines replaced, no history entry
    let mut same = created.value.clone();
    same.lines = vec![line("Утюг", 3, "1000")];
    let updated = store
        .update_order(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            same,
            by("crm:anna", None),
        )
        .await?;
    assert!(updated.meta.change_seq > created.meta.change_seq);
    assert_eq!(updated.value.lines.len(), 1);
    assert_eq!(updated.value.lines[0].name, "Утюг");
    assert_eq!(updated.value.lines[0].line_no, 1);
    assert!(!old_line_ids.contains(&updated.value.lines[0].id));
    assert_eq!(updated.value.history.len(), 1);

    // stale change_seq
    let err = store
        .update_order(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            updated.value.clone(),
            StatusAuthor::default(),
        )
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let mut status = updated.value.clone();
    for (next, source) in [
        (OrderStatus::Confirmed, "crm:anna"),
        (OrderStatus::Shipped, "ozon"),
    ] {
        status.status = next;
        store
            .update_order(
                Target {
                    id: created.meta.id,
                    expected_seq: None,
                },
                status.clone(),
                by(source, Some("ok")),
            )
            .await?;
    }
    let read = store.get_order(&Lookup::Id(created.meta.id)).await?;
    let history: Vec<_> = read
        .value
        .history
        .iter()
        .map(|h| (h.status, h.source.as_str()))
        .collect();
    assert_eq!(
        history,
        vec![
            (OrderStatus::New, "api"),
            (OrderStatus::Confirmed, "crm:anna"),
            (OrderStatus::Shipped, "ozon")
        ]
    );
    assert!(
        read.value
            .history
            .windows(2)
            .all(|w| w[0].changed_at <= w[1].changed_at)
    );
    assert_eq!(read.value.history[2].note.as_deref(), Some("ok"));
    assert_eq!(read.value.status, OrderStatus::Shipped);
    Ok(())
}

pub async fn order_key_is_unique_per_channel(store: DynStore) -> anyhow::Result<()> {
    let ozon = channel(&store, "ozon").await?;
    let wb = channel(&store, "wb").await?;
    store
        .create_order(order(ozon, "42"), StatusAuthor::default())
        .await?;
    let err = store
        .create_order(order(ozon, "42"), StatusAuthor::default())
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "order",
                ..
            }
        ),
        "{err:?}"
    );
    let other = store
        .create_order(order(wb, "42"), StatusAuthor::default())
        .await?;
    // moving an order onto a taken key is a duplicate too
    let mut clash = other.value.clone();
    clash.channel_id = ozon;
    let err = store
        .update_order(
            Target {
                id: other.meta.id,
                expected_seq: None,
            },
            clash,
            StatusAuthor::default(),
        )
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(store.list_orders(&ListFilter::new()).await?.items.len(), 2);
    Ok(())
}

/// Breaks one thing in a valid order.
type Spoil = fn(&mut Order);

pub async fn rejected_order_leaves_nothing(store: DynStore) -> anyhow::Result<()> {
    let ch = channel(&store, "shop").await?;
    let mark = store.current_seq().await?;
    let cases: Vec<(Spoil, &str)> = vec![
        (
            |o| o.lines[1].product_id = Some(carpetti_util::new_id()),
            "lines[1].product_id",
        ),
        (
            |o| {
                o.lines[0].line_no = 1;
                o.lines[1].line_no = 1;
            },
            "lines[1].line_no",
        ),
        (|o| o.lines[0].name = " ".into(), "lines[0].name"),
        (|o| o.channel_id = carpetti_util::new_id(), "channel_id"),
        (
            |o| o.customer_id = Some(carpetti_util::new_id()),
            "customer_id",
        ),
        (|o| o.external_id = String::new(), "external_id"),
        (
            |o| o.shipping_address = serde_json::json!(["not", "an", "object"]),
            "shipping_address",
        ),
    ];
    for (spoil, expected) in &cases {
        let mut bad = order(ch, "S-1");
        spoil(&mut bad);
        let err = store
            .create_order(bad, StatusAuthor::default())
            .await
            .expect_err(expected);
        assert_eq!(field(err), *expected);
    }
    // nothing was committed: no order, and no sequence number was used (lines and history are
    // written in the same transaction as the order row)
    assert_eq!(store.current_seq().await?, mark);
    assert!(
        store
            .list_orders(&ListFilter::new())
            .await?
            .items
            .is_empty()
    );
    assert!(
        store
            .get_order(&Lookup::ScopedKey(ch, "S-1".into()))
            .await
            .is_err()
    );

    // a rejected update leaves the stored lines and history as they were
    let created = store
        .create_order(order(ch, "S-1"), StatusAuthor::default())
        .await?;
    let mut bad = created.value.clone();
    bad.status = OrderStatus::Cancelled;
    bad.lines.push(OrderLine {
        product_id: Some(carpetti_util::new_id()),
        line_no: 3,
        ..line("Призрак", 1, "1")
    });
    let err = store
        .update_order(
            Target {
                id: created.meta.id,
                expected_seq: None,
            },
            bad,
            StatusAuthor::default(),
        )
        .await
        .expect_err("unknown product");
    assert_eq!(field(err), "lines[2].product_id");
    assert_eq!(
        store.get_order(&Lookup::Id(created.meta.id)).await?,
        created
    );
    Ok(())
}
