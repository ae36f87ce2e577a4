//! Prices in rubles: the currency table (settings first, then the feed's numeric rates, both
//! turned into "rubles per unit" once per import) and the per-offer price / old price rules.

use std::collections::BTreeMap;

use carpetti_util::{Currency, Money};
use carpetti_yml::{Currency as FeedCurrency, Offer};
use rust_decimal::{Decimal, RoundingStrategy};

use super::text::decimal_text;
use super::{Note, Rejection};

/// A normalized ISO-4217 code.
type Code = [u8; 3];

const RUB: Code = *b"RUB";

/// The prices of one item, as decimal strings in rubles.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prices {
    pub price: String,
    pub old_price: Option<String>,
}

/// Rubles per unit of each currency an import can convert.
#[derive(Debug, Clone)]
pub(crate) struct Rates {
    /// From the supplier's settings; they win over the feed.
    settings: Vec<(Code, Decimal)>,
    /// From the feed's `currencies`, already expressed in rubles.
    feed: Vec<(Code, Decimal)>,
    /// Currencies the feed lists with a text rate (`CBRF`…) or that it cannot express in rubles.
    feed_without_rate: Vec<(Code, String)>,
    /// The currency of an offer without `currencyId`: the feed's base (rate 1), else RUB.
    default_currency: Code,
}

/// Normalizes a currency id as suppliers write it: trimmed, any case, `RUR` / `руб.` / `р.` /
/// `₽` mean rubles; otherwise three ASCII letters.
fn normalize_code(raw: &str) -> Result<Code, String> {
    let trimmed = raw.trim();
    let code = trimmed.strip_suffix('.').unwrap_or(trimmed).trim_end();
    if code.eq_ignore_ascii_case("RUB") || code.eq_ignore_ascii_case("RUR") {
        return Ok(RUB);
    }
    if ["руб", "р", "₽"]
        .iter()
        .any(|alias| super::text::eq_ignore_case(code, alias))
    {
        return Ok(RUB);
    }
    let currency = Currency::parse(code).map_err(|e| e.to_string())?;
    let mut out = [0_u8; 3];
    out.copy_from_slice(currency.as_str().as_bytes());
    Ok(out)
}

fn code_str(code: &Code) -> &str {
    std::str::from_utf8(code).unwrap_or("???")
}

fn lookup(table: &[(Code, Decimal)], code: &Code) -> Option<Decimal> {
    table.iter().find(|(c, _)| c == code).map(|(_, rate)| *rate)
}

fn header_note(notes: &mut Vec<Note>, message: String) {
    notes.push(Note {
        field: "currency",
        message,
    });
}

impl Rates {
    /// Builds the table from the settings' rates and the feed's `currencies` block; whatever cannot
    /// be used is said in `notes`.
    pub(crate) fn new(
        settings: &BTreeMap<String, Decimal>,
        feed: &[FeedCurrency],
        notes: &mut Vec<Note>,
    ) -> Self {
        let mut rates = Self {
            settings: Vec::new(),
            feed: Vec::new(),
            feed_without_rate: Vec::new(),
            default_currency: RUB,
        };
        for (raw, rate) in settings {
            match normalize_code(raw) {
                Ok(RUB) => header_note(notes, format!("settings rate for {raw} ignored: RUB is 1")),
                Ok(_) if *rate <= Decimal::ZERO => {
                    header_note(
                        notes,
                        format!("settings rate {rate} for {raw} ignored: not positive"),
                    );
                }
                Ok(code) => rates.settings.push((code, *rate)),
                Err(e) => header_note(notes, format!("settings rate for {raw:?} ignored: {e}")),
            }
        }
        let mut listed: Vec<(Code, Option<Decimal>, Option<&str>)> = Vec::new();
        for currency in feed {
            match normalize_code(&currency.id) {
                Ok(code) if listed.iter().any(|(c, ..)| *c == code) => {}
                Ok(code) => match currency.rate {
                    Some(rate) if rate <= Decimal::ZERO => {
                        header_note(
                            notes,
                            format!("feed rate {rate} for {} ignored: not positive", currency.id),
                        );
                        listed.push((code, None, Some("not positive")));
                    }
                    rate => listed.push((code, rate, currency.rate_source.as_deref())),
                },
                Err(e) => header_note(
                    notes,
                    format!("feed currency {:?} ignored: {e}", currency.id),
                ),
            }
        }
        let base = listed
            .iter()
            .find(|(_, rate, _)| *rate == Some(Decimal::ONE))
            .map(|(c, ..)| *c);
        let rub_in_feed = listed
            .iter()
            .find(|(c, ..)| *c == RUB)
            .and_then(|(_, rate, _)| *rate);
        // Rubles per base unit: the feed's RUB rate says how many base units a ruble is worth.
        let divisor = match (rub_in_feed, base) {
            (Some(rub), _) => Some(rub),
            (None, None) => Some(Decimal::ONE),
            (None, Some(base)) => {
                header_note(
                    notes,
                    format!(
                        "the feed's base currency is {} and it gives no rate for RUB: \
                         its rates cannot be used",
                        code_str(&base)
                    ),
                );
                None
            }
        };
        for (code, rate, source) in listed {
            match (rate, divisor) {
                (_, _) if code == RUB => {}
                (Some(rate), Some(divisor)) => rates.feed.push((code, rate / divisor)),
                (Some(rate), None) => rates
                    .feed_without_rate
                    .push((code, format!("{rate} {}", code_str(&base.unwrap_or(RUB))))),
                (None, _) => rates
                    .feed_without_rate
                    .push((code, source.unwrap_or("none").to_owned())),
            }
        }
        if let Some(base) = base {
            rates.default_currency = base;
        }
        rates
    }

    /// Rubles per unit of the offer's currency.
    fn rate(&self, raw: Option<&str>) -> Result<(Code, Decimal), Rejection> {
        let code = match raw.map(str::trim).filter(|c| !c.is_empty()) {
            None => self.default_currency,
            Some(raw) => normalize_code(raw).map_err(|e| Rejection::new("currency", e))?,
        };
        if code == RUB {
            return Ok((code, Decimal::ONE));
        }
        if let Some(rate) = lookup(&self.settings, &code).or_else(|| lookup(&self.feed, &code)) {
            return Ok((code, rate));
        }
        let name = code_str(&code);
        let reason = match self.feed_without_rate.iter().find(|(c, _)| *c == code) {
            Some((_, source)) => format!(
                "currency {name}: the feed gives no usable rate ({source}) and the settings none"
            ),
            None => format!("unknown currency {name}: no rate in the feed or the settings"),
        };
        Err(Rejection::new("currency", reason))
    }

    /// The offer's price and old price in rubles (the rules are in the `normalize` module docs).
    pub(crate) fn prices(&self, offer: &Offer, notes: &mut Vec<Note>) -> Result<Prices, Rejection> {
        let (price, old_price) = match (offer.price, offer.old_price) {
            (Some(price), old) => (price, old),
            (None, Some(old)) => {
                notes.push(Note::new(
                    "price",
                    format!("missing: the old price {old} is used"),
                ));
                (old, None)
            }
            (None, None) => return Err(Rejection::new("price", "missing")),
        };
        if price.is_zero() {
            return Err(Rejection::new("price", "price is 0"));
        }
        if price.is_sign_negative() {
            return Err(Rejection::new(
                "price",
                format!("price is negative: {price}"),
            ));
        }
        let (code, rate) = self.rate(offer.currency_id.as_deref())?;
        let rub = to_rubles(price, rate)
            .ok_or_else(|| Rejection::new("price", format!("price {price} is too large")))?;
        if rub.is_zero() {
            let reason = format!(
                "price {price} {} is 0 in rubles after rounding to kopecks",
                code_str(&code)
            );
            return Err(Rejection::new("price", reason));
        }
        let price_money =
            Money::from_decimal(rub).map_err(|e| Rejection::new("price", e.to_string()))?;
        let old_price = old_price.and_then(|old| {
            let drop = |notes: &mut Vec<Note>, why: String| {
                notes.push(Note::new(
                    "old_price",
                    format!("old price {old}: {why}: dropped"),
                ));
                None
            };
            let Some(old_rub) = to_rubles(old, rate) else {
                return drop(notes, "too large".to_owned());
            };
            if old_rub <= rub {
                return drop(notes, format!("not above the price {rub} RUB"));
            }
            match Money::from_decimal(old_rub) {
                Ok(money) => Some(decimal_text(money.amount())),
                Err(e) => drop(notes, e.to_string()),
            }
        });
        Ok(Prices {
            price: decimal_text(price_money.amount()),
            old_price,
        })
    }
}

/// `amount × rate` rounded to kopecks, midpoint away from zero; `None` on overflow.
fn to_rubles(amount: Decimal, rate: Decimal) -> Option<Decimal> {
    if rate == Decimal::ONE && amount.scale() <= 2 {
        return Some(amount);
    }
    let value = amount.checked_mul(rate)?;
    Some(value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

#[cfg(test)]
mod tests;
