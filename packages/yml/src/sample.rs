//! Synthetic feeds for benchmarks and tests: [`sample_offer`] makes a realistic offer (about 750
//! bytes of YML: a CDATA HTML description of ~300 characters of Russian text, 3 pictures, 4 params
//! in г / мм / Вт with one name repeated, a barcode with a valid EAN-13 check digit, prices with
//! kopecks…) and [`sample_shop`] the shop header with its category tree. Both are deterministic:
//! the same `n` always gives the same record, so a 1,000,000-offer file is the same file on every
//! machine.
//!
//! A plain public module rather than a cargo feature: it has no dependencies of its own and is a
//! few hundred lines, and the binary's benchmark commands need it in the release build anyway, so
//! a feature would be switched on everywhere that matters and only add a `cfg` to get wrong.

use rust_decimal::Decimal;

use crate::model::{Category, Currency, Dimensions, Offer, Outlet, Param, Shop};

/// How many categories [`sample_offer`] draws its `category_id` from: the ids `1..=` this of
/// [`sample_shop`]`(SAMPLE_CATEGORIES)`.
pub const SAMPLE_CATEGORIES: usize = 200;

const KINDS: [&str; 8] = [
    "Чайник электрический",
    "Блендер погружной",
    "Пылесос беспроводной",
    "Утюг с парогенератором",
    "Мультиварка",
    "Кофеварка капельная",
    "Фен для волос",
    "Тостер",
];
const VENDORS: [&str; 8] = [
    "Bosch", "Philips", "Redmond", "Polaris", "Tefal", "Scarlett", "Kitfort", "Vitek",
];
const SERIES: [&str; 4] = ["Comfort", "Steel & Glass", "Classic", "Pro"];
const CATEGORY_NAMES: [&str; 8] = [
    "Бытовая техника",
    "Техника для кухни",
    "Уход за домом",
    "Красота и здоровье",
    "Климатическая техника",
    "Посуда",
    "Электроника",
    "Товары для дома",
];
const COUNTRIES: [&str; 4] = ["Китай", "Россия", "Германия", "Турция"];

/// A deterministic offer number `n` (ids `SKU-00000000`…), its category one of
/// `1..=SAMPLE_CATEGORIES`. Every 5th offer has a `group_id` (pairs of them share one), every 10th
/// is a `vendor.model` offer without a `name`; stock is split over two warehouses (`outlets`,
/// with both a Megamarket id and an Ozon warehouse name).
pub fn sample_offer(n: u64) -> Offer {
    let h = mix(n);
    let h2 = mix(h);
    let kind = KINDS[pick(h, 0, KINDS.len())];
    let vendor = VENDORS[pick(h, 8, VENDORS.len())];
    let series = SERIES[pick(h, 16, SERIES.len())];
    let model = format!("{}-{}", &vendor[..2].to_uppercase(), 1000 + h2 % 9000);
    let category = 1 + pick(h, 24, SAMPLE_CATEGORIES);

    let rubles = 199 + (h >> 32) % 99_800;
    let kopecks = (h2 >> 40) % 100;
    let cents = i64::try_from(rubles * 100 + kopecks).unwrap_or(i64::MAX);
    let stock = i64::try_from((h2 >> 16) % 40).unwrap_or(0);
    let weight_g = 400 + (h2 >> 24) % 4600;
    let length_mm = 120 + (h >> 40) % 380;
    let power_low = 600 + 100 * ((h2 >> 8) % 8);
    let power_high = power_low + 800;

    let vendor_model = n.is_multiple_of(10);
    let description = format!(
        "<p>{kind} {vendor} {model}: корпус из стали и пластика, защита от перегрева, \
         автоотключение.</p><ul><li>Мощность: {power_high} Вт</li><li>Вес: {weight_g} г</li>\
         <li>Гарантия: {} мес.</li></ul>",
        12 + 12 * (h2 % 3)
    );
    Offer {
        id: format!("SKU-{n:08}"),
        available: Some(stock > 0),
        kind: vendor_model.then(|| "vendor.model".to_owned()),
        group_id: n.is_multiple_of(5).then(|| format!("G{}", n / 10)),
        name: (!vendor_model).then(|| format!("{kind} {vendor} {model} \"{series}\"")),
        type_prefix: vendor_model.then(|| kind.to_owned()),
        vendor: Some(vendor.to_owned()),
        model: vendor_model.then(|| model.clone()),
        vendor_code: Some(format!(
            "{}-{:06}",
            &vendor[..3].to_uppercase(),
            h2 % 1_000_000
        )),
        url: Some(format!(
            "https://shop.example.ru/catalog/{category}/{n}.html"
        )),
        price: Some(Decimal::new(cents, 2)),
        old_price: Some(Decimal::new(cents / 4 * 5, 2)),
        currency_id: Some("RUB".to_owned()),
        category_id: Some(category.to_string()),
        pictures: (1..=3)
            .map(|i| format!("https://cdn.example.ru/img/{}/{n}-{i}.jpg", n % 1000))
            .collect(),
        description: Some(description),
        barcodes: vec![ean13(460_000_000_000 + (h2 >> 20) % 1_000_000_000)],
        params: vec![
            param("Вес", "г", weight_g),
            param("Длина", "мм", length_mm),
            param("Мощность", "Вт", power_low),
            param("Мощность", "Вт", power_high),
        ],
        weight_kg: Some(Decimal::new(i64::try_from(weight_g).unwrap_or(0), 3)),
        dimensions: Some(Dimensions {
            length_cm: Decimal::new(i64::try_from(length_mm).unwrap_or(0), 1),
            width_cm: Decimal::new(i64::try_from(80 + (h >> 48) % 200).unwrap_or(0), 1),
            height_cm: Decimal::new(i64::try_from(100 + (h2 >> 48) % 300).unwrap_or(0), 1),
        }),
        stock: Some(stock),
        outlets: vec![
            outlet("1", "Склад Москва", stock - stock / 2),
            outlet("2", "Склад Казань", stock / 2),
        ],
        country_of_origin: n
            .is_multiple_of(3)
            .then(|| COUNTRIES[pick(h2, 32, COUNTRIES.len())].to_owned()),
        sales_notes: n
            .is_multiple_of(4)
            .then(|| "Оплата при получении".to_owned()),
        ..Offer::default()
    }
}

/// A shop header with `categories` categories: ids `1..=categories`, `1` the root, every other
/// one the child of `(id - 2) / 8 + 1` (a tree eight wide); one currency, RUB at rate 1; a fixed
/// date so the output is the same on every run.
pub fn sample_shop(categories: usize) -> Shop {
    Shop {
        date: Some("2026-01-01T00:00:00+03:00".to_owned()),
        name: Some("Carpetti Demo".to_owned()),
        company: Some("ООО \"Карпетти\"".to_owned()),
        url: Some("https://shop.example.ru".to_owned()),
        platform: Some("Carpetti".to_owned()),
        email: Some("feeds@shop.example.ru".to_owned()),
        currencies: vec![Currency {
            id: "RUB".to_owned(),
            rate: Some(Decimal::ONE),
            rate_source: None,
        }],
        categories: (1..=categories)
            .map(|id| Category {
                id: id.to_string(),
                parent_id: (id > 1).then(|| ((id - 2) / 8 + 1).to_string()),
                name: format!("{} {id}", CATEGORY_NAMES[id % CATEGORY_NAMES.len()]),
            })
            .collect(),
    }
}

/// The 13-digit EAN of a 12-digit body (its last 12 decimal digits) with its check digit.
pub fn ean13(body: u64) -> String {
    let digits = format!("{:012}", body % 1_000_000_000_000);
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

fn param(name: &str, unit: &str, value: u64) -> Param {
    Param {
        name: name.to_owned(),
        unit: Some(unit.to_owned()),
        value: value.to_string(),
    }
}

fn outlet(id: &str, warehouse: &str, instock: i64) -> Outlet {
    Outlet {
        id: Some(id.to_owned()),
        warehouse_name: Some(warehouse.to_owned()),
        instock,
    }
}

/// splitmix64: a well-spread 64-bit value from `n`, cheap and stable across platforms.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An index below `len` from bits of `h` starting at `shift`.
fn pick(h: u64, shift: u32, len: usize) -> usize {
    usize::try_from((h >> shift) % len as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_check_digits_match_known_codes() {
        // Real EAN-13 codes: 4006381333931 (Stabilo), 5901234123457 (GS1 example).
        assert_eq!(ean13(400_638_133_393), "4006381333931");
        assert_eq!(ean13(590_123_412_345), "5901234123457");
    }

    #[test]
    fn offers_are_deterministic_and_varied() {
        assert_eq!(sample_offer(42), sample_offer(42));
        assert_ne!(sample_offer(42), sample_offer(43));
        assert!(sample_offer(10).name.is_none() && sample_offer(10).model.is_some());
        assert!(sample_offer(5).group_id.is_some() && sample_offer(6).group_id.is_none());
    }

    #[test]
    fn sample_categories_exist_in_the_sample_tree() {
        let shop = sample_shop(SAMPLE_CATEGORIES);
        for n in 0..1000 {
            let category = sample_offer(n).category_id.unwrap_or_default();
            assert!(
                shop.categories.iter().any(|c| c.id == category),
                "{category}"
            );
        }
        for category in &shop.categories {
            if let Some(parent) = &category.parent_id {
                assert!(shop.categories.iter().any(|c| &c.id == parent));
            }
        }
    }
}
