//! The typed helpers: JSON values and protobuf messages.

use std::time::Duration;

use anyhow::Result;
use carpetti_cache::CacheExt as _;
use serde::{Deserialize, Serialize};

use crate::support::{Harness, bytes};

const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Category {
    id: u32,
    name: String,
    path: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Offer {
    #[prost(string, tag = "1")]
    offer_id: String,
    #[prost(uint32, tag = "2")]
    stock: u32,
}

pub async fn json_and_proto_round_trip(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    let category = Category {
        id: 7,
        name: "Пылесосы".into(),
        path: vec!["Бытовая техника".into(), "Уборка".into()],
    };
    cache.set_json("category:7", &category, MINUTE).await?;
    assert_eq!(
        cache.get_json::<Category>("category:7").await?,
        Some(category.clone())
    );

    let offer = Offer {
        offer_id: "SKU-1".into(),
        stock: 12,
    };
    cache.set_proto("offer:1", &offer, MINUTE).await?;
    assert_eq!(
        cache.get_proto::<Offer>("offer:1").await?,
        Some(offer.clone())
    );

    let loaded = cache
        .get_or_load_proto("offer:2", MINUTE, || async {
            Ok::<_, std::io::Error>(Offer {
                offer_id: "SKU-2".into(),
                stock: 3,
            })
        })
        .await?;
    assert_eq!(loaded.stock, 3);
    assert_eq!(cache.get_proto::<Offer>("offer:2").await?, Some(loaded));

    let loaded = cache
        .get_or_load_json("category:8", MINUTE, || async {
            Ok::<_, std::io::Error>(category)
        })
        .await?;
    // cached: a second loader is not called
    let again = cache
        .get_or_load_json::<Category, _, _, std::io::Error>("category:8", MINUTE, || async {
            Err(std::io::Error::other("must not be called"))
        })
        .await?;
    assert_eq!(again, loaded);
    Ok(())
}

pub async fn undecodable_value_is_a_miss(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    cache.set("category:9", bytes("not json {"), MINUTE).await?;
    assert_eq!(cache.get_json::<Category>("category:9").await?, None);
    assert_eq!(
        cache.get("category:9").await?,
        None,
        "the bad value was deleted"
    );
    cache.set("category:9", bytes("not json {"), MINUTE).await?;
    let reloaded = cache
        .get_or_load_json("category:9", MINUTE, || async {
            Ok::<_, std::io::Error>(Category {
                id: 9,
                name: "reloaded".into(),
                path: Vec::new(),
            })
        })
        .await?;
    assert_eq!(reloaded.name, "reloaded");
    Ok(())
}
