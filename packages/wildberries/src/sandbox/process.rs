//! WB's asynchronous card processing: accepted uploads and updates wait in a queue for the
//! processing delay, then each card is checked — a good one is created (nmID, imtID, chrtID,
//! barcodes generated where missing) or overwritten, a bad one goes to the error list (one batch
//! per merged card of an upload, one per update request). Run lazily on every request.

use std::time::Instant;

use chrono::Utc;
use serde_json::Value;

use super::seed::{Seed, SeedSubject};
use super::state::{ErrorBatch, Job, SandboxCard, SandboxPrice, SandboxSize, State};
use super::validate::{characteristics, check_card};

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn dimensions(card: &Value) -> Option<(i64, i64, i64, f64)> {
    let d = card.get("dimensions")?;
    let int = |k: &str| d.get(k).and_then(Value::as_i64).unwrap_or(0);
    let weight = d.get("weightBrutto").and_then(Value::as_f64).unwrap_or(0.0);
    Some((int("length"), int("width"), int("height"), weight))
}

fn skus(size: &Value) -> Vec<String> {
    size.get("skus")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

impl State {
    /// Processes every job whose delay has passed.
    pub(crate) fn process_due(&mut self, seed: &Seed) {
        let now = Instant::now();
        while self.pending.front().is_some_and(|p| p.ready_at <= now) {
            let Some(pending) = self.pending.pop_front() else {
                break;
            };
            match pending.job {
                Job::Upload {
                    subject_id,
                    variants,
                } => self.process_upload(seed, subject_id, &variants),
                Job::Update { items } => self.process_update(seed, &items),
            }
        }
    }

    fn process_upload(&mut self, seed: &Seed, subject_id: i64, variants: &[Value]) {
        let mut batch = ErrorBatch::default();
        let imt_id = self.next_imt;
        let mut imt_used = false;
        for variant in variants {
            let vendor_code = text(variant, "vendorCode");
            if let Some(count) = self.pending_vendors.get_mut(&vendor_code) {
                *count -= 1;
                if *count == 0 {
                    self.pending_vendors.remove(&vendor_code);
                }
            }
            let Some(subject) = seed.subject(subject_id) else {
                continue;
            };
            let errors = check_card(seed, subject, variant, None, self);
            if !errors.is_empty() {
                add_errors(&mut batch, &vendor_code, subject, errors);
                continue;
            }
            imt_used = true;
            let now = Utc::now();
            let nm_id = self.next_nm;
            self.next_nm += 1;
            let mut sizes = Vec::new();
            let given = variant
                .get("sizes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_else(|| vec![Value::Null]);
            for size in given.iter().chain(given.is_empty().then_some(&Value::Null)) {
                sizes.push(self.new_size(size));
            }
            if let Some(price) = given
                .first()
                .and_then(|s| s.get("price"))
                .and_then(Value::as_i64)
            {
                self.prices
                    .insert(nm_id, SandboxPrice { price, discount: 0 });
            }
            self.put_card(SandboxCard {
                nm_id,
                imt_id,
                nm_uuid: uuid::Uuid::now_v7().to_string(),
                subject_id,
                subject_name: subject.name.clone(),
                vendor_code,
                brand: text(variant, "brand"),
                title: text(variant, "title"),
                description: text(variant, "description"),
                dimensions: dimensions(variant),
                characteristics: characteristics(subject, variant),
                sizes,
                created_at: now,
                updated_at: now,
            });
        }
        if imt_used {
            self.next_imt += 1;
        }
        self.add_batch(batch);
    }

    fn new_size(&mut self, size: &Value) -> SandboxSize {
        let chrt_id = self.next_chrt;
        self.next_chrt += 1;
        let mut skus = skus(size);
        if skus.is_empty() {
            skus.push(self.new_barcode());
        }
        let tech_size = text(size, "techSize");
        SandboxSize {
            chrt_id,
            tech_size: if tech_size.is_empty() {
                "0".to_owned()
            } else {
                tech_size
            },
            wb_size: text(size, "wbSize"),
            skus,
        }
    }

    fn process_update(&mut self, seed: &Seed, items: &[Value]) {
        let mut batch = ErrorBatch::default();
        for item in items {
            let vendor_code = text(item, "vendorCode");
            let nm_id = item.get("nmID").and_then(Value::as_i64).unwrap_or(0);
            let Some(mut card) = self.cards.get(&nm_id).cloned() else {
                continue;
            };
            let Some(subject) = seed.subject(card.subject_id) else {
                continue;
            };
            let mut errors = check_card(seed, subject, item, Some(nm_id), self);
            if vendor_code != card.vendor_code && self.vendor_taken(&vendor_code) {
                errors.push("Артикул продавца используется в другой карточке товара".to_owned());
            }
            let sizes = item
                .get("sizes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for size in &sizes {
                if let Some(chrt) = size.get("chrtID").and_then(Value::as_i64)
                    && !card.sizes.iter().any(|s| s.chrt_id == chrt)
                {
                    errors.push(format!(
                        "Размер с chrtID {chrt} не относится к карточке товара"
                    ));
                }
            }
            if !errors.is_empty() {
                add_errors(&mut batch, &vendor_code, subject, errors);
                continue;
            }
            for size in &sizes {
                match size.get("chrtID").and_then(Value::as_i64) {
                    Some(chrt) => {
                        if let Some(own) = card.sizes.iter_mut().find(|s| s.chrt_id == chrt) {
                            for sku in skus(size) {
                                if !own.skus.contains(&sku) {
                                    own.skus.push(sku);
                                }
                            }
                        }
                    }
                    None => card.sizes.push(self.new_size(size)),
                }
            }
            card.vendor_code = vendor_code;
            card.brand = text(item, "brand");
            card.title = text(item, "title");
            card.description = text(item, "description");
            card.dimensions = dimensions(item);
            card.characteristics = characteristics(subject, item);
            card.updated_at = Utc::now();
            self.put_card(card);
        }
        self.add_batch(batch);
    }
}

fn add_errors(
    batch: &mut ErrorBatch,
    vendor_code: &str,
    subject: &SeedSubject,
    errors: Vec<String>,
) {
    if !batch.vendor_codes.iter().any(|v| v == vendor_code) {
        batch.vendor_codes.push(vendor_code.to_owned());
    }
    batch
        .subjects
        .insert(vendor_code.to_owned(), (subject.id, subject.name.clone()));
    batch
        .errors
        .entry(vendor_code.to_owned())
        .or_default()
        .extend(errors);
}
