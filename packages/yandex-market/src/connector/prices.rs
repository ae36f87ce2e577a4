//! Cabinet prices for all shops: `POST /v2/businesses/{businessId}/offer-prices/updates`,
//! 500 offers per call, `{value, currencyId: "RUR", discountBase}`.

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, PriceUpdate, Problem};
use http::Method;

use super::YandexMarketConnector;
use super::cards::basic_price;
use super::errors::expect_ok;
use crate::quotas::{self, op};
use crate::wire::prices::{OfferPrice, UpdatePricesRequest};

impl YandexMarketConnector {
    pub(super) async fn send_prices(
        &self,
        prices: &[PriceUpdate],
    ) -> Result<Vec<ItemOutcome>, MpError> {
        let mut outcomes = Vec::with_capacity(prices.len());
        // one entry per offer, the last one given
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut outgoing: Vec<OfferPrice> = Vec::new();
        for update in prices {
            let offer_id = update.ids.offer_id.as_str();
            let Some(price) = basic_price(update.price, update.old_price) else {
                outcomes.push(ItemOutcome {
                    offer_id: offer_id.to_owned(),
                    warehouse_id: None,
                    problems: vec![Problem::new(
                        "invalid_price",
                        format!("price {} must be positive", update.price),
                    )],
                });
                continue;
            };
            let entry = OfferPrice {
                offer_id: offer_id.to_owned(),
                price,
            };
            match index.get(offer_id) {
                Some(&at) => outgoing[at] = entry,
                None => {
                    index.insert(offer_id, outgoing.len());
                    outgoing.push(entry);
                }
            }
        }
        let url = self.business_url("/offer-prices/updates");
        for chunk in outgoing.chunks(quotas::PRICES_PER_CALL) {
            let body = UpdatePricesRequest {
                offers: chunk.to_vec(),
            };
            let call = self.json_call(Method::POST, op::PRICES, url.clone(), &body)?;
            let reply = self.send(&call).await?;
            expect_ok(&reply, op::PRICES)?;
            outcomes.extend(chunk.iter().map(|p| ItemOutcome::applied(&p.offer_id)));
        }
        Ok(outcomes)
    }
}
