//! Realistic supplier items for benchmarks: what a household-appliance wholesaler's YML feed
//! carries (Russian names and descriptions, a brand, a vendor code, a valid EAN-13, pictures,
//! three parameters, prices with occasional old prices, stock, multi-packs, variant groups).
//! Deterministic: item `i` is the same in every run, so a second pass is an unchanged re-import.

use carpetti_persist::model::supplier::{Param, SupplierItem};
use carpetti_util::{Currency, Money, OfferId, ParseError};
use uuid::Uuid;

const KINDS: [(&str, &str); 10] = [
    ("Чайник электрический", "Бытовая техника/Кухня/Чайники"),
    (
        "Утюг с парогенератором",
        "Бытовая техника/Уход за одеждой/Утюги",
    ),
    ("Пылесос беспроводной", "Бытовая техника/Уборка/Пылесосы"),
    (
        "Кофемашина автоматическая",
        "Бытовая техника/Кухня/Кофемашины",
    ),
    ("Фен для волос", "Красота и здоровье/Фены"),
    ("Блендер погружной", "Бытовая техника/Кухня/Блендеры"),
    ("Микроволновая печь", "Бытовая техника/Кухня/Микроволновки"),
    ("Мультиварка", "Бытовая техника/Кухня/Мультиварки"),
    ("Тостер", "Бытовая техника/Кухня/Тостеры"),
    ("Электробритва роторная", "Красота и здоровье/Бритвы"),
];
const BRANDS: [&str; 10] = [
    "Bosch", "Philips", "Redmond", "Polaris", "Tefal", "Braun", "Xiaomi", "Scarlett", "Vitek",
    "Kitfort",
];
const COLORS: [&str; 6] = [
    "белый",
    "чёрный",
    "серебристый",
    "красный",
    "бежевый",
    "синий",
];

/// SplitMix64: a tiny, fast, deterministic generator; item `i` seeds its own stream, so any
/// item can be produced alone and every run produces the same feed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `range` (bias is irrelevant for test data).
    fn gen_range(&mut self, range: std::ops::Range<u64>) -> u64 {
        range.start + self.next() % (range.end - range.start).max(1)
    }

    /// True with probability `p`.
    fn gen_bool(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// A valid EAN-13 with the Russian `46` prefix.
fn ean13(rng: &mut Mix) -> String {
    let mut digits: Vec<u32> = vec![4, 6];
    digits.extend((0..10).map(|_| rng.gen_range(0..10) as u32));
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect()
}

/// Item `index` of a supplier's feed; `revision` changes prices and stock (a changed re-import).
pub fn item(supplier_id: Uuid, index: u64, revision: u64) -> Result<SupplierItem, ParseError> {
    let mut rng = Mix(index.wrapping_mul(0xA076_1D64_78BD_642F));
    let (kind, category) = KINDS[rng.gen_range(0..KINDS.len() as u64) as usize];
    let brand = BRANDS[rng.gen_range(0..BRANDS.len() as u64) as usize];
    let model = format!(
        "{}{}-{}",
        char::from(b'A' + rng.gen_range(0..26) as u8),
        rng.gen_range(100..999),
        index % 97
    );
    let color = COLORS[rng.gen_range(0..COLORS.len() as u64) as usize];
    let power = rng.gen_range(4..30) * 100;
    let rubles = rng.gen_range(199..99_999) + revision;
    let kopecks = if rng.gen_bool(0.5) { "00" } else { "90" };
    let price = Money::parse(&format!("{rubles}.{kopecks}"))?;
    let old_price = rng
        .gen_bool(0.3)
        .then(|| Money::parse(&format!("{}", rubles + rubles / 5)))
        .transpose()?;
    let stock = (rng.gen_range(0..500) + revision) as i64;
    let pack_quantity = match rng.gen_range(0..10) {
        0 => 6,
        1 => 12,
        _ => 1,
    };
    let pictures = (0..rng.gen_range(1..4))
        .map(|n| format!("https://cdn.supplier.example/img/{index}/{n}.jpg"))
        .collect();
    Ok(SupplierItem {
        supplier_id,
        offer_id: OfferId::parse(&format!("OF-{index:08}"))?,
        name: format!("{kind} {brand} {model}, {color}"),
        vendor: Some(brand.to_owned()),
        vendor_code: Some(format!("{}-{model}", brand.to_uppercase())),
        barcodes: vec![ean13(&mut rng)],
        description: Some(format!(
            "{kind} {brand} {model} мощностью {power} Вт. Цвет: {color}. Гарантия производителя \
             {} месяцев. Поставляется в фирменной упаковке с инструкцией на русском языке.",
            rng.gen_range(12..37)
        )),
        category_name: Some(category.to_owned()),
        url: Some(format!("https://supplier.example/p/{index}")),
        pictures,
        price,
        old_price,
        currency: Currency::rub(),
        stock: Some(stock),
        available: stock > 0,
        pack_quantity,
        group_id: rng.gen_bool(0.2).then(|| format!("G-{}", index / 4)),
        params: vec![
            Param {
                name: "Цвет".to_owned(),
                value: color.to_owned(),
                unit: None,
            },
            Param {
                name: "Мощность".to_owned(),
                value: power.to_string(),
                unit: Some("Вт".to_owned()),
            },
            Param {
                name: "Гарантия".to_owned(),
                value: "12".to_owned(),
                unit: Some("мес".to_owned()),
            },
        ],
        weight_g: Some(rng.gen_range(300..9000) as i64),
        length_mm: Some(rng.gen_range(100..600) as i64),
        width_mm: Some(rng.gen_range(100..600) as i64),
        height_mm: Some(rng.gen_range(50..500) as i64),
        last_import_run_id: None,
    })
}
