//! Cards out: `POST /content/v2/cards/upload` for new vendor codes (asynchronous, answers no ids)
//! and `POST /content/v2/cards/update` (by nmID / chrtID) for cards WB already holds, since WB
//! refuses an upload whose vendor code is used ("the specified card's vendor code is used in other
//! cards" — the whole request). Such a refusal is resolved by reading the cards back by vendor
//! code: found ones go through update, the rest are uploaded again (halving the batch when the
//! culprit is a card still being processed, which is then left pending).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use carpetti_marketplace::{
    Card, CardResult, CardState, Marketplace, MpError, Problem, Submission,
};
use chrono::Utc;
use http::Method;
use serde_json::Value;

use super::convert::{problem_locally, variant};
use super::dictionaries::subject_id;
use super::memory::KnownCard;
use super::wire::{Charc, UploadCard};
use super::{CARDS_PER_CALL, Host, WildberriesConnector, errors, op};

/// At most this many cards (variants) in one merged card.
const VARIANTS_PER_CARD: usize = 30;
/// An upload not seen after this long is sent again when submitted again.
pub(crate) const IN_FLIGHT_FOR: Duration = Duration::from_secs(15 * 60);

type Charcs = HashMap<i64, Arc<Vec<Charc>>>;

impl WildberriesConnector {
    pub(super) async fn submit(&self, cards: &[Card]) -> Result<Submission, MpError> {
        if cards.len() > CARDS_PER_CALL {
            return Err(MpError::Rejected {
                marketplace: Marketplace::Wildberries,
                method: op::CARDS_UPLOAD.to_owned(),
                status: 400,
                code: "too_many_cards".into(),
                message: format!("{} cards, at most {CARDS_PER_CALL} per call", cards.len()),
            });
        }
        let submitted_at = Utc::now();
        let mut offer_ids: Vec<String> = Vec::with_capacity(cards.len());
        let mut latest: HashMap<&str, &Card> = HashMap::new();
        for card in cards {
            if latest.insert(&card.offer_id, card).is_none() {
                offer_ids.push(card.offer_id.clone());
            }
        }
        let mut settled = Vec::new();
        let mut uploads = Vec::new();
        let mut updates = Vec::new();
        for offer in &offer_ids {
            let Some(card) = latest.get(offer.as_str()).copied() else {
                continue;
            };
            if let Some(problem) = problem_locally(card) {
                settled.push(rejected(offer, vec![problem]));
            } else if let Some(known) = self.memory.known(offer) {
                updates.push((card, known));
            } else if self
                .memory
                .in_flight_since(offer)
                .is_some_and(|at| (submitted_at - at).to_std().unwrap_or_default() < IN_FLIGHT_FOR)
            {
                // Uploaded moments ago and still processing: poll follows it.
            } else {
                uploads.push(card);
            }
        }
        let mut charcs = Charcs::new();
        for card in uploads.iter().chain(updates.iter().map(|(c, _)| c)) {
            if let Some(subject) = subject_id(&card.category)
                && !charcs.contains_key(&subject)
            {
                charcs.insert(subject, self.charcs(subject).await?);
            }
        }
        let found = self.upload(uploads, &charcs, &mut settled).await?;
        updates.extend(found);
        self.update(&updates, &charcs).await?;
        Ok(Submission {
            task_id: None,
            offer_ids,
            submitted_at,
            settled,
        })
    }

    /// Uploads new cards; returns those WB turned out to hold already (to be updated).
    async fn upload<'c>(
        &self,
        cards: Vec<&'c Card>,
        charcs: &Charcs,
        settled: &mut Vec<CardResult>,
    ) -> Result<Vec<(&'c Card, KnownCard)>, MpError> {
        let mut existing = Vec::new();
        // (batch, whether its cards were already looked up by vendor code)
        let mut queue = vec![(cards, false)];
        while let Some((batch, looked_up)) = queue.pop() {
            if batch.is_empty() {
                continue;
            }
            let body = upload_body(&batch, charcs);
            let call = self.json(
                Method::POST,
                op::CARDS_UPLOAD,
                Host::Content,
                "/content/v2/cards/upload",
                &body,
            )?;
            let sent_at = Utc::now();
            let reply = self.send(&call).await?;
            if reply.is_success() {
                errors::envelope_ok::<Value>(&reply, op::CARDS_UPLOAD)?;
                let codes: Vec<String> = batch.iter().map(|c| c.offer_id.clone()).collect();
                self.memory.mark_in_flight(&codes, sent_at);
                continue;
            }
            if reply.status != 400 {
                return Err(errors::refused(&reply, op::CARDS_UPLOAD));
            }
            let refusal = errors::refusal(&reply);
            if errors::is_unknown_category(&refusal.message) {
                let unknown = unknown_subject(&reply.body);
                let (bad, rest): (Vec<_>, Vec<_>) = batch
                    .into_iter()
                    .partition(|c| unknown.is_some() && subject_id(&c.category) == unknown);
                if bad.is_empty() {
                    return Err(errors::refused(&reply, op::CARDS_UPLOAD));
                }
                for card in bad {
                    let problem = Problem::new(refusal.code.clone(), refusal.message.clone());
                    settled.push(rejected(&card.offer_id, vec![problem]));
                }
                queue.push((rest, looked_up));
            } else if errors::is_vendor_code_used(&refusal.message) {
                let mut rest = batch;
                if !looked_up {
                    let sent = rest.len();
                    let mut unknown = Vec::new();
                    for card in rest {
                        match self.lookup(&card.offer_id).await? {
                            Some(known) => existing.push((card, known)),
                            None => unknown.push(card),
                        }
                    }
                    rest = unknown;
                    if rest.len() < sent {
                        queue.push((rest, true));
                        continue;
                    }
                }
                // None of them is listed, yet one's vendor code is taken: a card WB is still
                // creating. Halve until it is found; poll follows it.
                if rest.len() == 1 {
                    let codes = vec![rest[0].offer_id.clone()];
                    self.memory.mark_in_flight(&codes, sent_at);
                } else {
                    let second = rest.split_off(rest.len() / 2);
                    queue.push((rest, true));
                    queue.push((second, true));
                }
            } else {
                return Err(errors::refused(&reply, op::CARDS_UPLOAD));
            }
        }
        Ok(existing)
    }

    /// Overwrites existing cards (WB's update replaces the whole card: every field is sent).
    async fn update(&self, cards: &[(&Card, KnownCard)], charcs: &Charcs) -> Result<(), MpError> {
        if cards.is_empty() {
            return Ok(());
        }
        let empty = Arc::new(Vec::new());
        let body: Vec<_> = cards
            .iter()
            .map(|(card, known)| {
                let subject = subject_id(&card.category).unwrap_or(known.subject_id);
                let charcs = charcs.get(&subject).unwrap_or(&empty);
                variant(card, charcs, Some(known))
            })
            .collect();
        let call = self.json(
            Method::POST,
            op::CARDS_UPDATE,
            Host::Content,
            "/content/v2/cards/update",
            &body,
        )?;
        let reply = self.send(&call).await?;
        let outcome = errors::envelope_ok::<Value>(&reply, op::CARDS_UPDATE);
        if outcome.is_err() && reply.status == 400 {
            // An nmID WB no longer knows (deleted card): learn the ids again next time.
            for (card, _) in cards {
                self.memory.forget(&card.offer_id);
            }
        }
        outcome.map(|_| ())
    }
}

/// The upload body: one merged card per (subject, group), at most 30 variants each.
fn upload_body(cards: &[&Card], charcs: &Charcs) -> Vec<UploadCard> {
    let empty = Arc::new(Vec::new());
    let mut body: Vec<UploadCard> = Vec::new();
    let mut groups: HashMap<(i64, &str), usize> = HashMap::new();
    for card in cards {
        let subject = subject_id(&card.category).unwrap_or_default();
        let variant = variant(card, charcs.get(&subject).unwrap_or(&empty), None);
        let group = card.group_id.as_deref().filter(|g| !g.is_empty());
        if let Some(group) = group
            && let Some(&index) = groups.get(&(subject, group))
            && body[index].variants.len() < VARIANTS_PER_CARD
        {
            body[index].variants.push(variant);
            continue;
        }
        if let Some(group) = group {
            groups.insert((subject, group), body.len());
        }
        body.push(UploadCard {
            subject_id: subject,
            variants: vec![variant],
        });
    }
    body
}

/// `additionalErrors.id` of a "This category does not exist" refusal.
fn unknown_subject(body: &[u8]) -> Option<i64> {
    let body: Value = serde_json::from_slice(body).ok()?;
    match body.pointer("/additionalErrors/id")? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

pub(crate) fn rejected(offer_id: &str, problems: Vec<Problem>) -> CardResult {
    CardResult {
        offer_id: offer_id.to_owned(),
        state: CardState::Rejected { problems },
    }
}
