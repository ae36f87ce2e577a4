//! The sandbox on its own, over raw HTTP: WB's validation at the level WB reports it (whole
//! request refused, or per card in the error list), auth, quirks and the control endpoints.

use serde_json::{Value, json};

use carpetti_wildberries::sandbox::seed::{CARPETS, COLOR, COMPOSITION, WAREHOUSE};

use crate::common::Setup;

struct Http {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Http {
    fn new(setup: &Setup) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: setup.served.base_url(),
            token: setup.sandbox.config().token.clone(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Value) -> anyhow::Result<(u16, Value)> {
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let answer = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.token)
            .json(&body)
            .send()
            .await?;
        let status = answer.status().as_u16();
        let text = answer.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

fn variant(code: &str, title: &str, characteristics: Value) -> Value {
    json!({ "vendorCode": code, "title": title, "characteristics": characteristics,
            "sizes": [{ "skus": [] }] })
}

fn good_charcs() -> Value {
    json!([
        { "id": COLOR, "value": ["серый"] },
        { "id": COMPOSITION, "value": ["шерсть"] },
        { "id": 90_673, "value": 200 },
        { "id": 90_674, "value": 140 },
    ])
}

#[tokio::test]
async fn whole_request_refusals_use_the_content_envelope() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let http = Http::new(&setup);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({ "subjectID": CARPETS, "variants": [variant(&format!("N{i}"), "t", good_charcs())] }))
        .collect();
    let (status, body) = http
        .send("POST", "/content/v2/cards/upload", json!(too_many))
        .await?;
    assert_eq!((status, body["error"].clone()), (400, json!(true)));
    let (status, body) = http
        .send(
            "POST",
            "/content/v2/cards/upload",
            json!([{ "subjectID": CARPETS, "variants": [{ "title": "x" }] }]),
        )
        .await?;
    assert_eq!(status, 400);
    assert_eq!(
        body["errorText"],
        "A card cannot be created without a vendorCode"
    );
    let (status, body) = http
        .send(
            "POST",
            "/content/v2/cards/upload",
            json!([{ "subjectID": 1, "variants": [variant("A", "t", good_charcs())] }]),
        )
        .await?;
    assert_eq!(status, 400);
    assert_eq!(body["additionalErrors"]["id"], "1");
    let (status, body) = http
        .send(
            "POST",
            "/content/v2/cards/upload",
            json!({ "not": "an array" }),
        )
        .await?;
    assert_eq!(
        (status, body["errorText"].clone()),
        (400, json!("Invalid request format"))
    );
    assert_eq!(setup.sandbox.card_count(), 0);
    Ok(())
}

#[tokio::test]
async fn card_problems_land_in_the_error_list_per_vendor_code() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let http = Http::new(&setup);
    let long_title = "Ковёр ".repeat(11);
    let mut too_many_values = good_charcs();
    too_many_values[1]["value"] = json!(["a", "b", "c", "d", "e", "f"]);
    let body = json!([{ "subjectID": CARPETS, "variants": [
        variant("OK-1", "Ковёр", good_charcs()),
        variant("LONG", &long_title, good_charcs()),
        variant("MANY", "Ковёр", too_many_values),
        variant("ALIEN", "Ковёр", json!([{ "id": 1, "value": ["x"] }])),
    ]}]);
    let (status, answer) = http.send("POST", "/content/v2/cards/upload", body).await?;
    assert_eq!((status, answer["error"].clone()), (200, json!(false)));
    assert!(setup.sandbox.card("OK-1").is_some());
    assert!(setup.sandbox.card_errors("LONG")[0].contains("60 символов"));
    assert!(setup.sandbox.card_errors("MANY")[0].contains("«Состав»"));
    let alien = setup.sandbox.card_errors("ALIEN");
    assert!(alien.iter().any(|e| e.contains("ID 1")), "{alien:?}");
    assert!(
        alien
            .iter()
            .any(|e| e.contains("обязательная характеристика «Цвет»"))
    );
    let (_, list) = http
        .send(
            "POST",
            "/content/v2/cards/error/list",
            json!({ "cursor": { "limit": 10 } }),
        )
        .await?;
    let items = list["data"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 1, "one batch per merged card");
    assert_eq!(items[0]["vendorCodes"].as_array().map(Vec::len), Some(3));
    assert_eq!(items[0]["subjects"]["LONG"]["id"], CARPETS);
    // The same vendor code again while it is a card: refused as a whole.
    let (status, answer) = http
        .send("POST", "/content/v2/cards/upload", json!([{ "subjectID": CARPETS, "variants": [variant("OK-1", "Ковёр", good_charcs())] }]))
        .await?;
    assert_eq!(status, 400);
    assert!(
        answer["errorText"]
            .as_str()
            .unwrap_or("")
            .contains("vendor code is used")
    );
    // A corrected draft replaces its errors.
    http.send(
        "POST",
        "/content/v2/cards/upload",
        json!([{ "subjectID": CARPETS, "variants": [variant("LONG", "Ковёр", good_charcs())] }]),
    )
    .await?;
    assert!(setup.sandbox.card_errors("LONG").is_empty());
    assert!(setup.sandbox.card("LONG").is_some());
    Ok(())
}

#[tokio::test]
async fn auth_quirks_and_control_endpoints() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let http = Http::new(&setup);
    let answer = reqwest::get(format!("{}/api/v3/warehouses", http.base)).await?;
    assert_eq!(answer.status(), 401);
    let body: Value = answer.json().await?;
    assert_eq!(body["origin"], "s2s-api-auth-catalog");
    // Unknown field names are not validated: 204 and nothing changes.
    let (status, _) = http
        .send(
            "PUT",
            &format!("/api/v3/stocks/{WAREHOUSE}"),
            json!({ "stocks": [{ "barcode": "1", "qty": 5 }] }),
        )
        .await?;
    assert_eq!(status, 204);
    let (status, body) = http
        .send(
            "PUT",
            &format!("/api/v3/stocks/{WAREHOUSE}"),
            json!({ "stocks": [] }),
        )
        .await?;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!("IncorrectRequestBody"))
    );
    let state: Value = reqwest::get(format!("{}/_sandbox/state", http.base))
        .await?
        .json()
        .await?;
    assert_eq!(state["cards"], json!({}));
    assert_eq!(state["stocks"], json!({}));
    let (status, _) = http
        .send("GET", "/api/v3/nothing-here", Value::Null)
        .await?;
    assert_eq!(status, 404);
    let bad = setup
        .sandbox
        .emit_order(&carpetti_wildberries::sandbox::EmitOrder {
            offer_id: "NOPE".into(),
            quantity: 1,
            price: 10.into(),
        });
    assert!(bad.is_err());
    Ok(())
}
