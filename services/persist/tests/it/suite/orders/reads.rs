//! Listing and deleting orders.

use carpetti_persist::StoreError;
use carpetti_persist::model::order::{Order, OrderStatus, StatusAuthor};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;

use super::{channel, customer, field, order};

pub async fn orders_list_filters_and_pages(store: DynStore) -> anyhow::Result<()> {
    let ozon = channel(&store, "ozon").await?;
    let wb = channel(&store, "wb").await?;
    let anna = store
        .create_customer(customer("Анна", None, Some("+79990000001")))
        .await?;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut value = order(if i % 2 == 0 { ozon } else { wb }, &format!("ORD-{i}"));
        value.customer_id = (i < 2).then_some(anna.meta.id);
        value.status = if i == 4 {
            OrderStatus::Cancelled
        } else {
            OrderStatus::New
        };
        ids.push(
            store
                .create_order(value, StatusAuthor::default())
                .await?
                .meta
                .id,
        );
    }
    let ids_of = |page: carpetti_persist::model::Page<Order>| {
        page.items.iter().map(|o| o.meta.id).collect::<Vec<_>>()
    };
    let f = ListFilter::new;
    assert_eq!(
        ids_of(
            store
                .list_orders(&ListFilter {
                    channel_id: Some(ozon),
                    ..f()
                })
                .await?
        ),
        vec![ids[0], ids[2], ids[4]]
    );
    assert_eq!(
        ids_of(
            store
                .list_orders(&ListFilter {
                    customer_id: Some(anna.meta.id),
                    ..f()
                })
                .await?
        ),
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        ids_of(
            store
                .list_orders(&ListFilter {
                    status: Some("cancelled".into()),
                    ..f()
                })
                .await?
        ),
        vec![ids[4]]
    );
    assert_eq!(
        ids_of(
            store
                .list_orders(&ListFilter {
                    text: Some("ord-3".into()),
                    ..f()
                })
                .await?
        ),
        vec![ids[3]]
    );
    let err = store
        .list_orders(&ListFilter {
            status: Some("lost".into()),
            ..f()
        })
        .await
        .expect_err("bad status");
    assert_eq!(field(err), "status");
    let err = store
        .list_orders(&ListFilter {
            supplier_id: Some(ozon),
            ..f()
        })
        .await
        .expect_err("unsupported");
    assert_eq!(field(err), "supplier_id");

    let mut filter = ListFilter { limit: 2, ..f() };
    let mut seen = Vec::new();
    loop {
        let page = store.list_orders(&filter).await?;
        assert!(
            page.items
                .iter()
                .all(|o| o.value.lines.len() == 2 && o.value.history.len() == 1)
        );
        let next = page.next_after_seq;
        seen.extend(ids_of(page));
        match next {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let mark = store.current_seq().await?;
    let third = store.get_order(&Lookup::Id(ids[2])).await?;
    store
        .update_order(
            Target {
                id: ids[2],
                expected_seq: None,
            },
            third.value,
            StatusAuthor::default(),
        )
        .await?;
    assert_eq!(
        ids_of(
            store
                .list_orders(&ListFilter {
                    after_seq: mark,
                    ..f()
                })
                .await?
        ),
        vec![ids[2]]
    );
    Ok(())
}

pub async fn order_delete_leaves_tombstone_and_frees_customer(
    store: DynStore,
) -> anyhow::Result<()> {
    let ch = channel(&store, "ozon").await?;
    let anna = store.create_customer(customer("Анна", None, None)).await?;
    let mut value = order(ch, "OZ-7");
    value.customer_id = Some(anna.meta.id);
    let created = store.create_order(value, StatusAuthor::default()).await?;

    let mark = store.current_seq().await?;
    let err = store
        .delete_customer(Target {
            id: anna.meta.id,
            expected_seq: None,
        })
        .await
        .expect_err("has orders");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    assert_eq!(
        store.current_seq().await?,
        mark,
        "the failed delete used no sequence number"
    );
    assert!(store.list_tombstones(0, 10, None).await?.is_empty());

    let seq = store
        .delete_order(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    let err = store
        .get_order(&Lookup::Id(created.meta.id))
        .await
        .expect_err("deleted");
    assert!(matches!(err, StoreError::NotFound { .. }));
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].entity.as_str(), tombstones[0].seq),
        ("orders", seq)
    );
    assert_eq!(tombstones[0].business_key, "ozon/OZ-7");
    assert_eq!(tombstones[0].entity_id, created.meta.id);

    // the same key can be used again (the lines went with the order)
    let again = store
        .create_order(order(ch, "OZ-7"), StatusAuthor::default())
        .await?;
    assert_eq!(again.value.lines.len(), 2);
    assert_eq!(again.value.history.len(), 1);

    let seq = store
        .delete_customer(Target {
            id: anna.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 10, Some("customer")).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].seq, seq);
    assert_eq!(tombstones[0].business_key, anna.meta.id.to_string());
    Ok(())
}
