//! The price rules of `price`: currency codes, rates from the settings and the feed, rounding,
//! missing / zero / negative prices and old prices.

use super::*;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().expect("test value")
}

fn feed_currency(id: &str, rate: Option<&str>, source: Option<&str>) -> FeedCurrency {
    FeedCurrency {
        id: id.to_owned(),
        rate: rate.map(dec),
        rate_source: source.map(str::to_owned),
    }
}

fn offer(price: Option<&str>, old: Option<&str>, currency: Option<&str>) -> Offer {
    Offer {
        id: "1".to_owned(),
        price: price.map(dec),
        old_price: old.map(dec),
        currency_id: currency.map(str::to_owned),
        ..Offer::default()
    }
}

fn rates(settings: &[(&str, &str)], feed: &[FeedCurrency]) -> (Rates, Vec<Note>) {
    let settings = settings
        .iter()
        .map(|(c, r)| ((*c).to_owned(), dec(r)))
        .collect();
    let mut notes = Vec::new();
    let rates = Rates::new(&settings, feed, &mut notes);
    (rates, notes)
}

fn prices(rates: &Rates, offer: &Offer) -> (Result<Prices, Rejection>, Vec<Note>) {
    let mut notes = Vec::new();
    let result = rates.prices(offer, &mut notes);
    (result, notes)
}

fn ok(rates: &Rates, offer: &Offer) -> (String, Option<String>) {
    let (result, _) = prices(rates, offer);
    let p = result.expect("test value");
    (p.price, p.old_price)
}

#[test]
fn codes_are_normalized() {
    assert_eq!(normalize_code(" rur "), Ok(RUB));
    assert_eq!(normalize_code("Руб."), Ok(RUB));
    assert_eq!(normalize_code("₽"), Ok(RUB));
    assert_eq!(normalize_code("usd"), Ok(*b"USD"));
    assert!(normalize_code("доллар").is_err());
}

#[test]
fn rubles_pass_through_rounded_to_kopecks() {
    let (rates, _) = rates(&[], &[]);
    let o = offer(Some("100.005"), Some("250.00"), Some("RUR"));
    assert_eq!(
        ok(&rates, &o),
        ("100.01".to_owned(), Some("250".to_owned()))
    );
    let o = offer(Some("100.004"), None, Some("rub"));
    assert_eq!(ok(&rates, &o).0, "100");
    let o = offer(Some("99.90"), None, None);
    assert_eq!(ok(&rates, &o).0, "99.9");
}

#[test]
fn feed_rates_with_a_ruble_base() {
    let feed = [
        feed_currency("RUR", Some("1"), None),
        feed_currency("USD", Some("92.5"), None),
    ];
    let (rates, notes) = rates(&[], &feed);
    assert!(notes.is_empty(), "{notes:?}");
    let o = offer(Some("10.01"), Some("20"), Some(" usd"));
    // 10.01 × 92.5 = 925.925 → 925.93 (midpoint away from zero)
    assert_eq!(
        ok(&rates, &o),
        ("925.93".to_owned(), Some("1850".to_owned()))
    );
}

#[test]
fn settings_rates_win_over_the_feed() {
    let feed = [
        feed_currency("RUB", Some("1"), None),
        feed_currency("USD", Some("92.5"), None),
    ];
    let (rates, _) = rates(&[("usd", "100")], &feed);
    assert_eq!(ok(&rates, &offer(Some("2"), None, Some("USD"))).0, "200");
}

#[test]
fn a_foreign_base_converts_through_the_rubles_rate() {
    // Base KZT; 1 RUB = 5 KZT, 1 USD = 500 KZT → 1 USD = 100 RUB, 1 KZT = 0.2 RUB.
    let feed = [
        feed_currency("KZT", Some("1"), None),
        feed_currency("RUB", Some("5"), None),
        feed_currency("USD", Some("500"), None),
    ];
    let (rates, _) = rates(&[], &feed);
    assert_eq!(ok(&rates, &offer(Some("3"), None, Some("USD"))).0, "300");
    assert_eq!(
        ok(&rates, &offer(Some("1001"), None, Some("KZT"))).0,
        "200.2"
    );
    // No currencyId: the feed's base currency.
    assert_eq!(ok(&rates, &offer(Some("1001"), None, None)).0, "200.2");
}

#[test]
fn a_foreign_base_without_rubles_is_rejected() {
    let feed = [
        feed_currency("KZT", Some("1"), None),
        feed_currency("USD", Some("480"), None),
    ];
    let (rates, notes) = rates(&[], &feed);
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (result, _) = prices(&rates, &offer(Some("3"), None, Some("USD")));
    let rejection = result.expect_err("rejected");
    assert_eq!(rejection.field, "currency");
    assert!(rejection.reason.contains("USD"), "{rejection:?}");
    // The settings can still supply it.
    let (rates, _) = self::rates(&[("KZT", "0.18")], &feed);
    assert_eq!(ok(&rates, &offer(Some("1000"), None, Some("KZT"))).0, "180");
}

#[test]
fn unknown_and_text_rated_currencies_are_rejected() {
    let feed = [
        feed_currency("RUB", Some("1"), None),
        feed_currency("EUR", None, Some("CBRF")),
    ];
    let (rates, _) = rates(&[], &feed);
    let (result, _) = prices(&rates, &offer(Some("3"), None, Some("KZT")));
    assert_eq!(
        result.expect_err("rejected"),
        Rejection::new(
            "currency",
            "unknown currency KZT: no rate in the feed or the settings"
        )
    );
    let (result, _) = prices(&rates, &offer(Some("3"), None, Some("EUR")));
    let rejection = result.expect_err("rejected");
    assert!(rejection.reason.contains("CBRF"), "{rejection:?}");
    let (result, _) = prices(&rates, &offer(Some("3"), None, Some("рубли")));
    assert_eq!(result.expect_err("rejected").field, "currency");
}

#[test]
fn bad_rates_are_reported_and_ignored() {
    let feed = [
        feed_currency("RUB", Some("1"), None),
        feed_currency("USD", Some("0"), None),
    ];
    let (rates, notes) = rates(&[("EUR", "-1"), ("RUB", "2")], &feed);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        prices(&rates, &offer(Some("1"), None, Some("USD")))
            .0
            .is_err()
    );
    assert!(
        prices(&rates, &offer(Some("1"), None, Some("EUR")))
            .0
            .is_err()
    );
    assert_eq!(ok(&rates, &offer(Some("1"), None, Some("RUB"))).0, "1");
}

#[test]
fn missing_zero_and_negative_prices() {
    let (rates, _) = rates(&[], &[]);
    let (result, notes) = prices(&rates, &offer(None, Some("1200"), None));
    assert_eq!(
        result.expect("test value"),
        Prices {
            price: "1200".to_owned(),
            old_price: None
        }
    );
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].field, "price");
    let (result, _) = prices(&rates, &offer(None, None, None));
    assert_eq!(
        result.expect_err("rejected"),
        Rejection::new("price", "missing")
    );
    let (result, _) = prices(&rates, &offer(Some("0.00"), Some("10"), None));
    assert_eq!(
        result.expect_err("rejected"),
        Rejection::new("price", "price is 0")
    );
    let (result, _) = prices(&rates, &offer(Some("-5"), None, None));
    assert_eq!(result.expect_err("rejected").field, "price");
    let (result, _) = prices(&rates, &offer(Some("0.004"), None, None));
    assert_eq!(result.expect_err("rejected").field, "price");
    let (result, _) = prices(&rates, &offer(Some("100000000000000"), None, None));
    assert_eq!(result.expect_err("rejected").field, "price");
}

#[test]
fn old_price_not_above_the_price_is_dropped() {
    let (rates, _) = rates(&[], &[]);
    for old in ["100", "99.99", "0", "-1", "100.001"] {
        let (result, notes) = prices(&rates, &offer(Some("100"), Some(old), None));
        assert_eq!(
            result.expect("test value").old_price,
            None,
            "old price {old}"
        );
        assert_eq!(notes.len(), 1, "old price {old}");
        assert_eq!(notes[0].field, "old_price");
    }
    let (result, notes) = prices(&rates, &offer(Some("100"), Some("100.005"), None));
    assert_eq!(
        result.expect("test value").old_price,
        Some("100.01".to_owned())
    );
    assert!(notes.is_empty());
}
