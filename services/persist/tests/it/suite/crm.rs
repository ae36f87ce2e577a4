//! CRM interactions, and what deleting the order, user or customer they mention does to them.

use carpetti_persist::StoreError;
use carpetti_persist::model::crm::{Direction, Interaction, InteractionKind, Medium};
use carpetti_persist::model::order::StatusAuthor;
use carpetti_persist::model::{ListFilter, Lookup, Page, Target};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::access::user;
use super::orders::{channel, customer, order};

fn note(customer_id: Uuid, body: &str) -> Interaction {
    Interaction {
        customer_id,
        order_id: None,
        user_id: None,
        kind: InteractionKind::Call,
        direction: Direction::Inbound,
        medium: Some(Medium::Phone),
        subject: Some("Доставка".into()),
        body: body.to_owned(),
        occurred_at: carpetti_util::now(),
    }
}

fn ids(page: &Page<Interaction>) -> Vec<Uuid> {
    page.items.iter().map(|i| i.meta.id).collect()
}

fn field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

pub async fn interaction_crud_and_filters(store: DynStore) -> anyhow::Result<()> {
    let ch = channel(&store, "shop").await?;
    let anna = store
        .create_customer(customer("Анна", Some("anna@example.com"), None))
        .await?;
    let boris = store.create_customer(customer("Борис", None, None)).await?;
    let staff = store.create_user(user("manager1", &[])).await?;
    let placed = store
        .create_order(order(ch, "S-1"), StatusAuthor::default())
        .await?;

    let mut about_order = note(anna.meta.id, "Где мой заказ?");
    about_order.order_id = Some(placed.meta.id);
    about_order.user_id = Some(staff.meta.id);
    let first = store.create_interaction(about_order).await?;
    assert_eq!(first.refs.get("user_login"), "manager1");
    assert_eq!(
        store.get_interaction(&Lookup::Id(first.meta.id)).await?,
        first
    );
    let err = store
        .get_interaction(&Lookup::Key("x".into()))
        .await
        .expect_err("by id only");
    assert_eq!(field(err), "key");

    let second = store
        .create_interaction(note(anna.meta.id, "Спасибо"))
        .await?;
    let third = store
        .create_interaction(note(boris.meta.id, "Перезвонить"))
        .await?;

    let mut changed = first.value.clone();
    changed.body = "Где мой заказ? Ответили.".into();
    changed.medium = None;
    changed.direction = Direction::Outbound;
    let updated = store
        .update_interaction(
            Target {
                id: first.meta.id,
                expected_seq: Some(first.meta.change_seq),
            },
            changed,
        )
        .await?;
    assert_eq!(updated.value.medium, None);
    assert_eq!(updated.refs.get("user_login"), "manager1");
    assert_eq!(
        store.get_interaction(&Lookup::Id(first.meta.id)).await?,
        updated
    );

    // ordered by change_seq: the updated one moved to the end
    let f = ListFilter::new;
    let all = store
        .list_interactions(&ListFilter {
            customer_id: Some(anna.meta.id),
            ..f()
        })
        .await?;
    assert_eq!(ids(&all), vec![second.meta.id, first.meta.id]);
    let by_order = store
        .list_interactions(&ListFilter {
            order_id: Some(placed.meta.id),
            ..f()
        })
        .await?;
    assert_eq!(ids(&by_order), vec![first.meta.id]);
    let page = store
        .list_interactions(&ListFilter { limit: 2, ..f() })
        .await?;
    assert_eq!(ids(&page), vec![second.meta.id, third.meta.id]);
    let rest = store
        .list_interactions(&ListFilter {
            after_seq: page.next_after_seq.expect("more"),
            ..f()
        })
        .await?;
    assert_eq!(ids(&rest), vec![first.meta.id]);
    let err = store
        .list_interactions(&ListFilter {
            text: Some("x".into()),
            ..f()
        })
        .await
        .expect_err("no text");
    assert_eq!(field(err), "text");

    let before = store.current_seq().await?;
    let seq = store
        .delete_interaction(Target {
            id: third.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store
        .list_tombstones(before, 10, Some("interaction"))
        .await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].seq, tombstones[0].entity_id),
        (seq, third.meta.id)
    );
    assert_eq!(tombstones[0].business_key, third.meta.id.to_string());
    Ok(())
}

pub async fn interaction_references_must_exist(store: DynStore) -> anyhow::Result<()> {
    let anna = store.create_customer(customer("Анна", None, None)).await?;
    let mark = store.current_seq().await?;
    let unknown = carpetti_util::new_id();
    let err = store
        .create_interaction(note(unknown, "x"))
        .await
        .expect_err("customer");
    assert_eq!(field(err), "customer_id");
    let err = store
        .create_interaction(Interaction {
            order_id: Some(unknown),
            ..note(anna.meta.id, "x")
        })
        .await
        .expect_err("order");
    assert_eq!(field(err), "order_id");
    let err = store
        .create_interaction(Interaction {
            user_id: Some(unknown),
            ..note(anna.meta.id, "x")
        })
        .await
        .expect_err("user");
    assert_eq!(field(err), "user_id");
    let err = store
        .create_interaction(note(anna.meta.id, "  "))
        .await
        .expect_err("body");
    assert_eq!(field(err), "body");
    assert_eq!(store.current_seq().await?, mark);
    assert!(
        store
            .list_interactions(&ListFilter::new())
            .await?
            .items
            .is_empty()
    );
    Ok(())
}

pub async fn deletes_reach_interactions_with_new_seqs(store: DynStore) -> anyhow::Result<()> {
    let ch = channel(&store, "shop").await?;
    let anna = store.create_customer(customer("Анна", None, None)).await?;
    let staff = store.create_user(user("manager1", &[])).await?;
    let placed = store
        .create_order(order(ch, "S-1"), StatusAuthor::default())
        .await?;
    let mut value = note(anna.meta.id, "Отмена");
    value.order_id = Some(placed.meta.id);
    value.user_id = Some(staff.meta.id);
    let created = store.create_interaction(value).await?;
    let other = store
        .create_interaction(note(anna.meta.id, "Другое"))
        .await?;

    // deleting the order clears the reference, and the interaction shows up as changed
    let mark = store.current_seq().await?;
    store
        .delete_order(Target {
            id: placed.meta.id,
            expected_seq: None,
        })
        .await?;
    let changed = store
        .list_interactions(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(ids(&changed), vec![created.meta.id]);
    assert_eq!(changed.items[0].value.order_id, None);
    assert_eq!(changed.items[0].value.user_id, Some(staff.meta.id));

    let mark = store.current_seq().await?;
    store
        .delete_user(Target {
            id: staff.meta.id,
            expected_seq: None,
        })
        .await?;
    let changed = store
        .list_interactions(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(ids(&changed), vec![created.meta.id]);
    assert_eq!(changed.items[0].value.user_id, None);
    assert_eq!(changed.items[0].refs.get("user_login"), "");

    // deleting the customer deletes its interactions, each with a tombstone
    let mark = store.current_seq().await?;
    let seq = store
        .delete_customer(Target {
            id: anna.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    let mut gone: Vec<_> = tombstones
        .iter()
        .map(|t| (t.entity.as_str(), t.entity_id))
        .collect();
    gone.sort();
    let mut expected = vec![
        ("customer", anna.meta.id),
        ("interaction", created.meta.id),
        ("interaction", other.meta.id),
    ];
    expected.sort();
    assert_eq!(gone, expected);
    assert!(
        tombstones
            .iter()
            .any(|t| t.seq == seq && t.entity == "customer")
    );
    let seqs: std::collections::HashSet<_> = tombstones.iter().map(|t| t.seq).collect();
    assert_eq!(seqs.len(), 3, "each tombstone has its own seq");
    assert!(
        store
            .list_interactions(&ListFilter::new())
            .await?
            .items
            .is_empty()
    );
    Ok(())
}
