//! The secret store of channel accounts.

use std::collections::BTreeMap;

use carpetti_persist::StoreError;
use carpetti_persist::model::Lookup;
use carpetti_persist::model::channel::{ChannelCredentials, ChannelKind};
use carpetti_persist::store::DynStore;

use super::{assert_invalid, channel, id};

fn secrets(pairs: &[(&str, &str)]) -> ChannelCredentials {
    ChannelCredentials {
        secrets: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

pub async fn credentials_are_kept_apart_and_replaced(store: DynStore) -> anyhow::Result<()> {
    let created = store
        .create_channel(channel("OZON-CRED", ChannelKind::Ozon))
        .await?;
    let by_code = Lookup::Key("OZON-CRED".into());
    assert!(
        store
            .get_channel_credentials(&by_code)
            .await?
            .secrets
            .is_empty()
    );

    let first = secrets(&[("client_id", "1001"), ("api_key", "k-secret-1")]);
    store
        .set_channel_credentials(&by_code, first.clone())
        .await?;
    assert_eq!(
        store
            .get_channel_credentials(&Lookup::Id(created.meta.id))
            .await?,
        first
    );
    // Debug never shows a value.
    let shown = format!("{first:?}");
    assert!(
        shown.contains("api_key") && !shown.contains("k-secret-1"),
        "{shown}"
    );
    // Nothing of the secrets is on the channel itself.
    let channel_row = store.get_channel(&by_code).await?;
    assert!(!format!("{:?}", channel_row.value.settings).contains("k-secret-1"));

    let second = secrets(&[("api_key", "k-secret-2")]);
    store
        .set_channel_credentials(&by_code, second.clone())
        .await?;
    assert_eq!(store.get_channel_credentials(&by_code).await?, second);

    store
        .set_channel_credentials(&by_code, ChannelCredentials::default())
        .await?;
    assert!(
        store
            .get_channel_credentials(&by_code)
            .await?
            .secrets
            .is_empty()
    );

    let bad = store
        .set_channel_credentials(&by_code, secrets(&[("api key", "x")]))
        .await
        .expect_err("a name with a space");
    assert_invalid(&bad, "credentials");
    let unknown = store
        .set_channel_credentials(&Lookup::Key("NO-SUCH".into()), first.clone())
        .await
        .expect_err("unknown channel");
    assert!(
        matches!(unknown, StoreError::NotFound { .. }),
        "{unknown:?}"
    );

    // They go with the channel.
    store.set_channel_credentials(&by_code, first).await?;
    store.delete_channel(id(created.meta.id)).await?;
    let gone = store
        .get_channel_credentials(&by_code)
        .await
        .expect_err("deleted channel");
    assert!(matches!(gone, StoreError::NotFound { .. }), "{gone:?}");
    Ok(())
}
