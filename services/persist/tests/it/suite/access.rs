//! Staff users (argon2-hashed, write-only passwords) and roles.

use carpetti_persist::StoreError;
use carpetti_persist::model::access::{Login, Password, Role, User};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::Code;

pub const PASSWORD: &str = "correct horse battery";

/// A user with [`PASSWORD`] and the given roles.
pub fn user(login: &str, roles: &[&str]) -> User {
    User {
        login: Login::parse(login).expect("login"),
        display_name: format!("Сотрудник {login}"),
        email: Some(format!("{login}@carpetti.example")),
        password: Some(Password::parse(PASSWORD).expect("password")),
        active: true,
        role_codes: roles
            .iter()
            .map(|r| Code::parse(r).expect("role code"))
            .collect(),
    }
}

pub fn role(code: &str, permissions: &[&str]) -> Role {
    Role {
        code: Code::parse(code).expect("code"),
        name: format!("Роль {code}"),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn codes(user: &User) -> Vec<&str> {
    user.role_codes.iter().map(Code::as_str).collect()
}

pub async fn role_crud_normalizes_permissions(store: DynStore) -> anyhow::Result<()> {
    let created = store
        .create_role(role(
            "manager",
            &["orders.write", " catalog.read ", "orders.write"],
        ))
        .await?;
    assert_eq!(
        created.value.permissions,
        vec!["catalog.read", "orders.write"]
    );
    assert_eq!(
        store.get_role(&Lookup::Key("manager".into())).await?,
        created
    );
    assert_eq!(store.get_role(&Lookup::Id(created.meta.id)).await?, created);

    let err = store
        .create_role(role("manager", &[]))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(err, StoreError::AlreadyExists { entity: "role", .. }),
        "{err:?}"
    );
    let err = store
        .create_role(role("bad", &["a", ""]))
        .await
        .expect_err("blank permission");
    assert_eq!(field(err), "permissions[1]");

    let mut changed = created.value.clone();
    changed.name = "Менеджер".into();
    changed.permissions = vec!["b".into(), "a".into()];
    let updated = store
        .update_role(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            changed,
        )
        .await?;
    assert_eq!(updated.value.permissions, vec!["a", "b"]);
    assert_eq!(store.get_role(&Lookup::Id(created.meta.id)).await?, updated);

    store.create_role(role("admin", &["*"])).await?;
    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    let found = store.list_roles(&text("МЕНЕДЖ")).await?;
    assert_eq!(
        found.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![created.meta.id]
    );
    assert_eq!(store.list_roles(&ListFilter::new()).await?.items.len(), 2);
    Ok(())
}

pub async fn user_password_is_hashed_and_never_returned(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_user(user("  Anna.K ", &[])).await?;
    assert_eq!(created.value.login.as_str(), "anna.k");
    assert!(
        created.value.password.is_none(),
        "the password never comes back"
    );
    let by_login = store.get_user(&Lookup::Key("ANNA.K".into())).await?;
    assert_eq!(by_login, created);
    assert!(by_login.value.password.is_none());
    assert!(
        store
            .list_users(&ListFilter::new())
            .await?
            .items
            .iter()
            .all(|u| u.value.password.is_none())
    );

    let ok = store
        .verify_password("Anna.K", PASSWORD)
        .await?
        .expect("right password");
    assert_eq!(ok.meta.id, created.meta.id);
    assert!(ok.value.password.is_none());
    assert!(
        store
            .verify_password("anna.k", "wrong password")
            .await?
            .is_none()
    );
    assert!(store.verify_password("nobody", PASSWORD).await?.is_none());
    assert!(store.verify_password("", PASSWORD).await?.is_none());

    let err = store
        .create_user(User {
            password: None,
            ..user("boris", &[])
        })
        .await
        .expect_err("password required");
    assert_eq!(field(err), "password");
    assert!(Password::parse("1234567").is_err(), "minimum length is 8");
    let err = store
        .create_user(user("ANNA.K", &[]))
        .await
        .expect_err("duplicate login");
    assert!(
        matches!(err, StoreError::AlreadyExists { entity: "user", .. }),
        "{err:?}"
    );
    Ok(())
}

pub async fn user_update_keeps_or_replaces_password(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_user(user("anna", &[])).await?;
    let target = Target {
        id: created.meta.id,
        expected_seq: None,
    };

    let mut renamed = created.value.clone();
    renamed.display_name = "Анна К.".into();
    renamed.active = false;
    let updated = store.update_user(target, renamed).await?;
    assert_eq!(updated.value.display_name, "Анна К.");
    assert!(!updated.value.active);
    let still = store
        .verify_password("anna", PASSWORD)
        .await?
        .expect("old password kept");
    assert!(
        !still.value.active,
        "verify returns the user; the caller checks `active`"
    );

    let mut new_password = updated.value.clone();
    new_password.password = Some(Password::parse("another secret")?);
    let changed = store.update_user(target, new_password).await?;
    assert!(changed.value.password.is_none());
    assert!(store.verify_password("anna", PASSWORD).await?.is_none());
    assert!(
        store
            .verify_password("anna", "another secret")
            .await?
            .is_some()
    );

    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    store.create_user(user("boris", &[])).await?;
    assert_eq!(store.list_users(&text("анна к")).await?.items.len(), 1);
    assert_eq!(
        store
            .list_users(&text("carpetti.example"))
            .await?
            .items
            .len(),
        2
    );
    Ok(())
}

pub async fn user_roles_resolve_and_block_role_delete(store: DynStore) -> anyhow::Result<()> {
    let manager = store
        .create_role(role("manager", &["orders.write"]))
        .await?;
    store.create_role(role("admin", &["*"])).await?;

    let mark = store.current_seq().await?;
    let err = store
        .create_user(user("anna", &["manager", "ghost"]))
        .await
        .expect_err("unknown role");
    assert_eq!(field(err), "role_codes[1]");
    assert_eq!(store.current_seq().await?, mark, "nothing written");
    assert!(store.get_user(&Lookup::Key("anna".into())).await.is_err());

    let created = store
        .create_user(user("anna", &["manager", "admin", "manager"]))
        .await?;
    assert_eq!(codes(&created.value), vec!["admin", "manager"]);
    assert_eq!(store.get_user(&Lookup::Id(created.meta.id)).await?, created);

    let err = store
        .delete_role(Target {
            id: manager.meta.id,
            expected_seq: None,
        })
        .await
        .expect_err("in use");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    assert!(store.get_role(&Lookup::Id(manager.meta.id)).await.is_ok());

    let mut fewer = created.value.clone();
    fewer.role_codes = vec![Code::parse("admin")?];
    let updated = store
        .update_user(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            fewer,
        )
        .await?;
    assert_eq!(codes(&updated.value), vec!["admin"]);
    let listed = store.list_users(&ListFilter::new()).await?;
    assert_eq!(codes(&listed.items[0].value), vec!["admin"]);

    let mark = store.current_seq().await?;
    let seq = store
        .delete_role(Target {
            id: manager.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (
            tombstones[0].entity.as_str(),
            tombstones[0].business_key.as_str(),
            tombstones[0].seq
        ),
        ("role", "manager", seq)
    );

    let seq = store
        .delete_user(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 10, Some("app_user")).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].business_key.as_str(), tombstones[0].seq),
        ("anna", seq)
    );
    // the user's role assignments went with it: admin can be deleted now
    let admin = store.get_role(&Lookup::Key("admin".into())).await?;
    store
        .delete_role(Target {
            id: admin.meta.id,
            expected_seq: None,
        })
        .await?;
    Ok(())
}
