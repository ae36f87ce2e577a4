//! FBS postings: `/v4/posting/fbs/list` (cursor pages of 100; `/v3/posting/fbs/list` is
//! disabled from 2026-06-01) and packing with `/v4/posting/fbs/ship`, checked before and after
//! with `/v3/posting/fbs/get`.

use std::collections::{BTreeMap, HashSet};

use carpetti_marketplace::{MarketOrder, MarketOrderLine, Marketplace, MpError};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::wire::flex_i64;
use super::{OzonConnector, errors, op};

/// Postings per `/v4/posting/fbs/list` page (the documented maximum).
const PAGE: i64 = 100;

#[derive(Serialize)]
struct ListRequest {
    filter: ListFilter,
    limit: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    cursor: String,
    sort_dir: &'static str,
}

#[derive(Serialize)]
struct ListFilter {
    since: String,
    to: String,
    last_changed_status_date: Period,
}

#[derive(Serialize)]
struct Period {
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct ListResponse {
    #[serde(default)]
    postings: Vec<Posting>,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    has_next: bool,
}

#[derive(Deserialize)]
struct Posting {
    posting_number: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    in_process_at: Option<DateTime<Utc>>,
    #[serde(default)]
    products: Vec<PostingProduct>,
    #[serde(default)]
    addressee: Option<Named>,
    #[serde(default)]
    customer: Option<Named>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct PostingProduct {
    #[serde(default, deserialize_with = "flex_i64")]
    sku: i64,
    #[serde(default)]
    offer_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    quantity: u32,
    /// v4: `{amount, currency}`; v3 and `get`: a decimal string.
    #[serde(default)]
    price: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct GetRequest<'a> {
    posting_number: &'a str,
}

#[derive(Deserialize)]
struct GetResponse {
    result: Posted,
}

#[derive(Deserialize)]
struct Posted {
    #[serde(default)]
    status: String,
    #[serde(default)]
    substatus: String,
    #[serde(default)]
    products: Vec<PostingProduct>,
}

#[derive(Serialize)]
struct ShipRequest<'a> {
    posting_number: &'a str,
    packages: Vec<Package>,
}

#[derive(Serialize)]
struct Package {
    products: Vec<Packed>,
}

#[derive(Serialize)]
struct Packed {
    /// The sku, as the ship method names it.
    product_id: i64,
    quantity: u32,
}

#[derive(Deserialize)]
struct ShipResponse {
    /// The postings the packages became.
    #[serde(default)]
    result: Vec<String>,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn price_of(product: &PostingProduct) -> Decimal {
    let text = match &product.price {
        Some(serde_json::Value::Object(price)) => price.get("amount").and_then(|a| a.as_str()),
        Some(serde_json::Value::String(price)) => Some(price.as_str()),
        _ => None,
    };
    text.and_then(|t| t.trim().parse().ok()).unwrap_or_default()
}

fn order_of(posting: Posting) -> MarketOrder {
    let customer_name = posting
        .addressee
        .map(|a| a.name)
        .filter(|n| !n.is_empty())
        .or_else(|| posting.customer.map(|c| c.name).filter(|n| !n.is_empty()));
    MarketOrder {
        external_id: posting.posting_number,
        status: posting.status,
        created_at: posting.in_process_at.unwrap_or_else(Utc::now),
        updated_at: None,
        lines: posting
            .products
            .iter()
            .map(|p| MarketOrderLine {
                offer_id: Some(p.offer_id.clone()).filter(|o| !o.is_empty()),
                barcodes: Vec::new(),
                external_sku: (p.sku > 0).then(|| p.sku.to_string()),
                name: p.name.clone(),
                quantity: p.quantity,
                price: price_of(p),
            })
            .collect(),
        customer_name,
    }
}

/// Postings that cannot be packed yet (Ozon is still registering or checking them).
const NOT_YET_PACKABLE: [&str; 5] = [
    "awaiting_registration",
    "acceptance_in_progress",
    "awaiting_approve",
    "awaiting_verification",
    "cancelled_from_split_pending",
];

impl OzonConnector {
    /// Postings whose status changed since `since` (a new posting's first status included),
    /// among those created within the last year (the longest period the method takes).
    pub(crate) async fn postings_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<MarketOrder>, MpError> {
        // `to` a little ahead: postings stamped within the current millisecond (or by a clock
        // slightly ahead of ours) are not cut off; the period stays within one year
        let to = Utc::now() + Duration::minutes(5);
        let period_start = to - Duration::days(365);
        let mut orders = Vec::new();
        let mut seen = HashSet::new();
        let mut cursor = String::new();
        loop {
            let request = ListRequest {
                filter: ListFilter {
                    since: timestamp(period_start),
                    to: timestamp(to),
                    last_changed_status_date: Period {
                        from: timestamp(since.min(to)),
                        to: timestamp(to),
                    },
                },
                limit: PAGE,
                cursor: cursor.clone(),
                sort_dir: "ASC",
            };
            let page: ListResponse = self.post(op::POSTINGS, &request).await?;
            for posting in page.postings {
                if seen.insert(posting.posting_number.clone()) {
                    orders.push(order_of(posting));
                }
            }
            if !page.has_next || page.cursor.is_empty() || page.cursor == cursor {
                return Ok(orders);
            }
            cursor = page.cursor;
        }
    }

    async fn posting(&self, posting_number: &str) -> Result<Posted, MpError> {
        let answer: GetResponse = self
            .post(op::POSTING, &GetRequest { posting_number })
            .await?;
        Ok(answer.result)
    }

    /// Packs the whole posting in one box. Idempotent: a posting already past packing is left
    /// as it is.
    pub(crate) async fn ship(&self, posting_number: &str) -> Result<(), MpError> {
        for _attempt in 0..2 {
            let posted = self.posting(posting_number).await?;
            match posted.status.as_str() {
                "awaiting_packaging" => {}
                "cancelled" | "not_accepted" => {
                    return Err(MpError::Rejected {
                        marketplace: Marketplace::Ozon,
                        method: op::SHIP.to_owned(),
                        status: 0,
                        code: posted.status.clone(),
                        message: format!("posting {posting_number} is {}", posted.status),
                    });
                }
                status if NOT_YET_PACKABLE.contains(&status) => {
                    return Err(MpError::NotReady {
                        marketplace: Marketplace::Ozon,
                        message: format!("posting {posting_number} is {status}, not yet packable"),
                    });
                }
                _ => return Ok(()),
            }
            let mut quantities: BTreeMap<i64, u32> = BTreeMap::new();
            for product in &posted.products {
                *quantities.entry(product.sku).or_default() += product.quantity;
            }
            let request = ShipRequest {
                posting_number,
                packages: vec![Package {
                    products: quantities
                        .into_iter()
                        .map(|(product_id, quantity)| Packed {
                            product_id,
                            quantity,
                        })
                        .collect(),
                }],
            };
            let call = self.call(op::SHIP, &request)?;
            let reply = self.transport.send(&call).await?;
            if !reply.is_success() {
                let status = errors::rpc_status(&reply);
                if status.message.to_uppercase().contains("ALREADY_SHIPPED") {
                    return Ok(());
                }
                return Err(errors::refused(op::SHIP, &reply));
            }
            let shipped: ShipResponse = reply.json(Marketplace::Ozon, op::SHIP)?;
            tracing::debug!(posting_number, postings = ?shipped.result, "packed");
            // a 200 does not guarantee the posting was packed: ship_failed means do it again
            let after = self.posting(posting_number).await?;
            if after.substatus != "ship_failed" {
                return Ok(());
            }
            tracing::warn!(posting_number, "Ozon ship failed; packing again");
        }
        Err(MpError::Rejected {
            marketplace: Marketplace::Ozon,
            method: op::SHIP.to_owned(),
            status: 0,
            code: "ship_failed".to_owned(),
            message: format!("Ozon failed to pack posting {posting_number} twice"),
        })
    }
}
