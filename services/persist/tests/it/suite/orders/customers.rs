//! Customers: normalized e-mail and phone, lookups, uniqueness.

use carpetti_persist::StoreError;
use carpetti_persist::model::order::{Email, Phone};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;

use super::{customer, field};

pub async fn customer_normalized_and_found_by_email_or_phone(
    store: DynStore,
) -> anyhow::Result<()> {
    let created = store
        .create_customer(customer(
            "Анна Ёлкина",
            Some(" Anna@Example.COM "),
            Some("+7 (912) 345-67-89"),
        ))
        .await?;
    assert_eq!(
        created.value.email.as_ref().map(Email::as_str),
        Some("anna@example.com")
    );
    assert_eq!(
        created.value.phone.as_ref().map(Phone::as_str),
        Some("+79123456789")
    );
    let by_id = store.get_customer(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(by_id, created);
    for key in ["ANNA@example.com", "+7 912 345 67 89", "79123456789"] {
        let found = store.get_customer(&Lookup::Key(key.into())).await?;
        assert_eq!(found.meta.id, created.meta.id, "{key}");
    }
    let err = store
        .get_customer(&Lookup::Key("other@example.com".into()))
        .await
        .expect_err("none");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .get_customer(&Lookup::Key("no phone".into()))
        .await
        .expect_err("bad key");
    assert_eq!(field(err), "key");

    let mut changed = created.value.clone();
    changed.phone = None;
    changed.note = Some("VIP".into());
    let updated = store
        .update_customer(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            changed,
        )
        .await?;
    assert_eq!(
        store.get_customer(&Lookup::Id(created.meta.id)).await?,
        updated
    );
    assert!(
        store
            .get_customer(&Lookup::Key("+79123456789".into()))
            .await
            .is_err()
    );

    // Cyrillic search folds case and ё on both backends
    store.create_customer(customer("Борис", None, None)).await?;
    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    let found = store.list_customers(&text("ЕЛКИНА")).await?;
    assert_eq!(
        found.items.iter().map(|c| c.meta.id).collect::<Vec<_>>(),
        vec![created.meta.id]
    );
    assert_eq!(
        store
            .list_customers(&text("example.com"))
            .await?
            .items
            .len(),
        1
    );
    assert_eq!(
        store.list_customers(&ListFilter::new()).await?.items.len(),
        2
    );
    Ok(())
}

pub async fn customer_email_and_phone_are_unique(store: DynStore) -> anyhow::Result<()> {
    let anna = store
        .create_customer(customer(
            "Анна",
            Some("anna@example.com"),
            Some("+79120000001"),
        ))
        .await?;
    store
        .create_customer(customer("Без контактов", None, None))
        .await?;
    store
        .create_customer(customer("Тоже без", None, None))
        .await?;
    let err = store
        .create_customer(customer("Другая", Some("ANNA@example.com"), None))
        .await
        .expect_err("email taken");
    assert!(
        matches!(err, StoreError::AlreadyExists { entity: "customer", ref key } if key.contains("email")),
        "{err:?}"
    );
    let err = store
        .create_customer(customer("Другая", None, Some("+7 912 000-00-01")))
        .await
        .expect_err("phone taken");
    assert!(
        matches!(err, StoreError::AlreadyExists { entity: "customer", ref key } if key.contains("phone")),
        "{err:?}"
    );
    let boris = store
        .create_customer(customer("Борис", Some("boris@example.com"), None))
        .await?;
    let mut steal = boris.value.clone();
    steal.phone = anna.value.phone.clone();
    let err = store
        .update_customer(
            Target {
                id: boris.meta.id,
                expected_seq: None,
            },
            steal,
        )
        .await
        .expect_err("phone taken");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    // re-saving one's own e-mail is fine
    store
        .update_customer(
            Target {
                id: anna.meta.id,
                expected_seq: None,
            },
            anna.value.clone(),
        )
        .await?;
    assert_eq!(
        store.list_customers(&ListFilter::new()).await?.items.len(),
        4
    );
    Ok(())
}
