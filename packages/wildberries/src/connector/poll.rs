//! The asynchronous outcome of cards: errors from `POST /content/v2/cards/error/list` (newest
//! batches first, down to the submission), ids from `POST /content/v2/get/cards/list` (the most
//! recently updated cards first, down to the submission; one card by vendor code with
//! `textSearch` when that scan would be too long), and the whole account for `list_offers`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use carpetti_marketplace::{CardResult, CardState, ListingIds, MpError, Problem, RemoteOffer};
use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Value, json};

use super::memory::{KnownCard, parse_time};
use super::wire::{CardList, ErrorTable, ListCursor};
use super::{Host, WildberriesConnector, errors, op};

/// Cards per page of the card list, and error batches per page of the error list (maxima).
const PAGE: i64 = 100;
/// Pages of recently updated cards read per poll before looking cards up one by one.
const SCAN_PAGES: usize = 5;
/// Error-list pages read per poll at most.
const ERROR_PAGES: usize = 20;
/// A card neither listed (updated after its submission) nor in the error list this long after
/// its submission is decided from what WB holds: listed → published, absent → rejected.
const STALE_AFTER: Duration = Duration::from_secs(30 * 60);
/// The code of the problems read from the error list (WB gives messages only).
pub const ERROR_LIST_CODE: &str = "error_list";

impl WildberriesConnector {
    pub(super) async fn poll(
        &self,
        submission: &carpetti_marketplace::Submission,
    ) -> Result<Vec<CardResult>, MpError> {
        let since = submission.submitted_at;
        let settled: HashMap<&str, &CardResult> = submission
            .settled
            .iter()
            .map(|r| (r.offer_id.as_str(), r))
            .collect();
        let mut open: HashSet<&str> = submission
            .offer_ids
            .iter()
            .map(String::as_str)
            .filter(|o| !settled.contains_key(o))
            .collect();
        let mut states: HashMap<&str, CardState> = HashMap::new();
        if !open.is_empty() {
            for (offer, problems) in self.card_errors(since, &open).await? {
                if let Some(offer) = open.take(offer.as_str()) {
                    self.memory.settle(offer);
                    states.insert(offer, CardState::Rejected { problems });
                }
            }
        }
        let from_memory: Vec<&str> = open
            .iter()
            .copied()
            .filter(|o| {
                self.memory
                    .known(o)
                    .is_some_and(|k| k.updated_at.is_some_and(|t| t >= since))
            })
            .collect();
        for offer in from_memory {
            open.remove(offer);
            if let Some(known) = self.memory.known(offer) {
                states.insert(offer, published(offer, &known));
            }
        }
        let stale = (Utc::now() - since).to_std().unwrap_or_default() >= STALE_AFTER;
        let scanned = !open.is_empty() && !stale && self.scan_recent(since, &open).await?;
        for offer in open.iter().copied().collect::<Vec<_>>() {
            let known = if scanned {
                self.memory.known(offer)
            } else {
                // Too many cards updated since the submission, or stale: one by one.
                self.lookup(offer).await?
            };
            match known {
                Some(known) if stale || known.updated_at.is_some_and(|t| t >= since) => {
                    open.remove(offer);
                    states.insert(offer, published(offer, &known));
                }
                None if stale => {
                    open.remove(offer);
                    self.memory.settle(offer);
                    let problem = Problem::new(
                        "not_created",
                        "WB neither listed the card nor reported an error for it",
                    );
                    states.insert(
                        offer,
                        CardState::Rejected {
                            problems: vec![problem],
                        },
                    );
                }
                _ => {}
            }
        }
        let mut results = Vec::with_capacity(submission.offer_ids.len());
        for offer in &submission.offer_ids {
            let state = if let Some(result) = settled.get(offer.as_str()) {
                result.state.clone()
            } else if let Some(state) = states.remove(offer.as_str()) {
                state
            } else {
                CardState::Pending
            };
            results.push(CardResult {
                offer_id: offer.clone(),
                state,
            });
        }
        Ok(results)
    }

    /// The error-list messages of `offers` in batches formed since `since`, newest first.
    async fn card_errors(
        &self,
        since: DateTime<Utc>,
        offers: &HashSet<&str>,
    ) -> Result<HashMap<String, Vec<Problem>>, MpError> {
        let mut found: HashMap<String, Vec<Problem>> = HashMap::new();
        let mut cursor = json!({ "limit": PAGE });
        for _ in 0..ERROR_PAGES {
            let body = json!({ "cursor": cursor, "order": { "ascending": false } });
            let call = self.json(
                Method::POST,
                op::CARDS_ERRORS,
                Host::Content,
                "/content/v2/cards/error/list",
                &body,
            )?;
            let table: ErrorTable =
                errors::envelope_ok(&self.send(&call).await?, op::CARDS_ERRORS)?
                    .unwrap_or_default();
            for batch in &table.items {
                for (vendor_code, messages) in &batch.errors {
                    if !offers.contains(vendor_code.as_str()) || found.contains_key(vendor_code) {
                        continue;
                    }
                    let subject = batch
                        .subjects
                        .get(vendor_code)
                        .and_then(|s| s.get("id"))
                        .and_then(|id| id.as_i64().or_else(|| id.as_f64().map(|f| f as i64)));
                    let mut problems = Vec::with_capacity(messages.len());
                    for message in messages {
                        let mut problem = Problem::new(ERROR_LIST_CODE, message.clone());
                        if let Some(subject) = subject {
                            problem.attribute = self.attribute_named(subject, message).await;
                        }
                        problems.push(problem);
                    }
                    found.insert(vendor_code.clone(), problems);
                }
            }
            let older = parse_time(&table.cursor.updated_at).is_none_or(|t| t < since);
            if !table.cursor.next || table.items.is_empty() || older {
                break;
            }
            cursor = json!({
                "limit": PAGE,
                "updatedAt": table.cursor.updated_at,
                "batchUUID": table.cursor.batch_uuid,
            });
        }
        Ok(found)
    }

    /// The characteristic an error message is about: a characteristic name of the subject
    /// quoted in «…», or `ID <n>`.
    async fn attribute_named(&self, subject: i64, message: &str) -> Option<String> {
        let charcs = self.charcs(subject).await.ok()?;
        let lower = message.to_lowercase();
        let quoted = lower
            .split('«')
            .skip(1)
            .filter_map(|part| part.split('»').next());
        for name in quoted {
            if let Some(charc) = charcs.iter().find(|c| c.name.to_lowercase() == name.trim()) {
                return Some(charc.charc_id.to_string());
            }
        }
        lower.split("id ").skip(1).find_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        })
    }

    /// Reads the most recently updated cards down to `since`, learning the ids of `offers` and
    /// of cards still in flight. False when it stopped at its page limit first.
    async fn scan_recent(
        &self,
        since: DateTime<Utc>,
        offers: &HashSet<&str>,
    ) -> Result<bool, MpError> {
        let mut cursor = ListCursor::default();
        // Enough pages to see every offer asked about among the recently updated cards (a bulk
        // publication), and a few more for cards others updated meanwhile.
        let pages = SCAN_PAGES + offers.len().div_ceil(PAGE as usize);
        for _ in 0..pages {
            let page = self.list_page(&cursor, None).await?;
            for card in &page.cards {
                if offers.contains(card.vendor_code.as_str())
                    || self.memory.in_flight_since(&card.vendor_code).is_some()
                {
                    self.memory
                        .learn(&card.vendor_code, KnownCard::from_listed(card));
                }
            }
            let oldest = page.cards.last().and_then(|c| parse_time(&c.updated_at));
            if page.cursor.total < PAGE || oldest.is_none_or(|t| t < since) {
                return Ok(true);
            }
            cursor = page.cursor;
        }
        Ok(false)
    }

    /// One card by its vendor code (`textSearch`), remembered when found.
    pub(super) async fn lookup(&self, vendor_code: &str) -> Result<Option<KnownCard>, MpError> {
        let page = self
            .list_page(&ListCursor::default(), Some(vendor_code))
            .await?;
        let card = page.cards.iter().find(|c| c.vendor_code == vendor_code);
        Ok(card.map(|card| {
            let known = KnownCard::from_listed(card);
            self.memory.learn(vendor_code, known.clone());
            known
        }))
    }

    async fn list_page(
        &self,
        cursor: &ListCursor,
        text_search: Option<&str>,
    ) -> Result<CardList, MpError> {
        let mut filter = json!({ "withPhoto": -1 });
        if let Some(text) = text_search {
            filter["textSearch"] = Value::String(text.to_owned());
        }
        let mut cursor_json = serde_json::to_value(cursor).unwrap_or_else(|_| json!({}));
        cursor_json["limit"] = json!(PAGE);
        let body = json!({
            "settings": { "sort": { "ascending": false }, "filter": filter, "cursor": cursor_json }
        });
        let call = self.json(
            Method::POST,
            op::CARDS_LIST,
            Host::Content,
            "/content/v2/get/cards/list",
            &body,
        )?;
        errors::json_ok(&self.send(&call).await?, op::CARDS_LIST)
    }

    /// Every card of the account, 100 per call.
    pub(super) async fn offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        let mut offers = Vec::new();
        let mut cursor = ListCursor::default();
        loop {
            let page = self.list_page(&cursor, None).await?;
            for card in &page.cards {
                let known = KnownCard::from_listed(card);
                offers.push(RemoteOffer {
                    ids: ids(&card.vendor_code, &known),
                    status: None,
                });
                self.memory.learn(&card.vendor_code, known);
            }
            if page.cursor.total < PAGE || page.cards.is_empty() {
                break;
            }
            cursor = page.cursor;
        }
        Ok(offers)
    }
}

fn ids(offer: &str, known: &KnownCard) -> ListingIds {
    ListingIds {
        offer_id: offer.to_owned(),
        product_id: Some(known.nm_id.to_string()),
        sku: known.chrt_id().map(|c| c.to_string()),
    }
}

fn published(offer: &str, known: &KnownCard) -> CardState {
    CardState::Published {
        ids: ids(offer, known),
    }
}
