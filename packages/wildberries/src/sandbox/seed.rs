//! What a fresh sandbox account holds: a small but realistic slice of WB's subject tree with the
//! subjects' characteristics, the directories of the listed characteristics, and the seller's
//! warehouses. Characteristic ids 14177449 (Цвет) and 14177450 (Состав) are WB's own (from the
//! spec's examples); the other ids are the sandbox's.

use serde::{Deserialize, Serialize};

/// The directory that lists a characteristic's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Directory {
    Colors,
    Kinds,
    Countries,
    Seasons,
    Vat,
}

/// A characteristic of a subject (`/content/v2/object/charcs/{subjectId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedCharc {
    pub id: i64,
    pub name: String,
    pub required: bool,
    pub unit: String,
    /// 0 = unlimited (string arrays only).
    pub max_count: i64,
    /// 1 = string array, 4 = number.
    pub charc_type: i64,
    pub directory: Option<Directory>,
}

/// A subject (leaf category) and its characteristics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedSubject {
    pub id: i64,
    pub name: String,
    pub parent_id: i64,
    pub parent_name: String,
    pub charcs: Vec<SeedCharc>,
}

/// A seller warehouse (`/api/v3/warehouses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedWarehouse {
    pub id: i64,
    pub name: String,
    pub office_id: i64,
    /// 1 = small goods, 2 = oversized (СГТ), 3 = large (КГТ+).
    pub cargo_type: i64,
    /// 1 = FBS.
    pub delivery_type: i64,
}

/// Dictionaries and warehouses of a fresh sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seed {
    pub subjects: Vec<SeedSubject>,
    /// (name, parent colour)
    pub colors: Vec<(String, String)>,
    pub kinds: Vec<String>,
    /// (name, full name)
    pub countries: Vec<(String, String)>,
    pub seasons: Vec<String>,
    pub vat: Vec<String>,
    pub warehouses: Vec<SeedWarehouse>,
}

pub const COLOR: i64 = 14_177_449;
pub const COMPOSITION: i64 = 14_177_450;
pub const COUNTRY: i64 = 14_177_451;
pub const VAT: i64 = 15_000_001;
pub const CARPET_LENGTH: i64 = 90_673;
pub const CARPET_WIDTH: i64 = 90_674;
pub const PILE_HEIGHT: i64 = 90_675;
pub const GENDER: i64 = 7_919;
pub const SEASON: i64 = 7_920;
pub const WEIGHT: i64 = 90_630;

/// Subjects of the default seed.
pub const CARPETS: i64 = 3_091;
pub const BATH_MATS: i64 = 2_956;
pub const SNEAKERS: i64 = 105;

/// Warehouses of the default seed: a small-goods FBS warehouse and an oversized one.
pub const WAREHOUSE: i64 = 507_001;
pub const OVERSIZED_WAREHOUSE: i64 = 507_002;

fn charc(
    id: i64,
    name: &str,
    required: bool,
    unit: &str,
    max_count: i64,
    charc_type: i64,
    directory: Option<Directory>,
) -> SeedCharc {
    SeedCharc {
        id,
        name: name.to_owned(),
        required,
        unit: unit.to_owned(),
        max_count,
        charc_type,
        directory,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

impl Default for Seed {
    fn default() -> Self {
        let color = |required| charc(COLOR, "Цвет", required, "", 3, 1, Some(Directory::Colors));
        let country = || {
            charc(
                COUNTRY,
                "Страна производства",
                false,
                "",
                1,
                1,
                Some(Directory::Countries),
            )
        };
        let home = |id, name: &str, charcs| SeedSubject {
            id,
            name: name.to_owned(),
            parent_id: 1_234,
            parent_name: "Дом".to_owned(),
            charcs,
        };
        let subjects = vec![
            home(
                CARPETS,
                "Ковры",
                vec![
                    color(true),
                    charc(COMPOSITION, "Состав", true, "", 5, 1, None),
                    charc(CARPET_LENGTH, "Длина ковра", true, "см", 0, 4, None),
                    charc(CARPET_WIDTH, "Ширина ковра", true, "см", 0, 4, None),
                    charc(PILE_HEIGHT, "Высота ворса", false, "мм", 0, 4, None),
                    country(),
                    charc(VAT, "Ставка НДС", false, "", 1, 1, Some(Directory::Vat)),
                ],
            ),
            home(
                BATH_MATS,
                "Коврики для ванной",
                vec![
                    color(true),
                    charc(COMPOSITION, "Состав", false, "", 5, 1, None),
                    country(),
                ],
            ),
            SeedSubject {
                id: SNEAKERS,
                name: "Кроссовки".to_owned(),
                parent_id: 3,
                parent_name: "Обувь".to_owned(),
                charcs: vec![
                    color(true),
                    charc(GENDER, "Пол", true, "", 1, 1, Some(Directory::Kinds)),
                    charc(SEASON, "Сезон", false, "", 1, 1, Some(Directory::Seasons)),
                    charc(
                        WEIGHT,
                        "Вес товара без упаковки (г)",
                        false,
                        "г",
                        0,
                        4,
                        None,
                    ),
                    country(),
                ],
            },
        ];
        Self {
            subjects,
            colors: pairs(&[
                ("бежевый", "бежевый"),
                ("белый", "белый"),
                ("серый", "серый"),
                ("темно-серый", "серый"),
                ("черный", "черный"),
                ("красный", "красный"),
                ("бордовый", "красный"),
                ("синий", "синий"),
                ("зеленый", "зеленый"),
                ("персиковый мелок", "оранжевый"),
            ]),
            kinds: strings(&["Мужской", "Женский", "Детский", "Унисекс"]),
            countries: pairs(&[
                ("Россия", "Российская Федерация"),
                ("Турция", "Турецкая Республика"),
                ("Китай", "Китайская Народная Республика"),
                ("Бельгия", "Королевство Бельгия"),
            ]),
            seasons: strings(&["демисезон", "зима", "лето", "круглогодичный"]),
            vat: strings(&["0", "10", "20", "Без НДС"]),
            warehouses: vec![
                SeedWarehouse {
                    id: WAREHOUSE,
                    name: "Склад продавца, Подольск".to_owned(),
                    office_id: 15,
                    cargo_type: 1,
                    delivery_type: 1,
                },
                SeedWarehouse {
                    id: OVERSIZED_WAREHOUSE,
                    name: "Склад СГТ, Коледино".to_owned(),
                    office_id: 16,
                    cargo_type: 2,
                    delivery_type: 1,
                },
            ],
        }
    }
}

impl Seed {
    pub fn subject(&self, id: i64) -> Option<&SeedSubject> {
        self.subjects.iter().find(|s| s.id == id)
    }

    /// The values a directory lists.
    pub fn directory(&self, directory: Directory) -> Vec<&str> {
        match directory {
            Directory::Colors => self.colors.iter().map(|(n, _)| n.as_str()).collect(),
            Directory::Countries => self.countries.iter().map(|(n, _)| n.as_str()).collect(),
            Directory::Kinds => self.kinds.iter().map(String::as_str).collect(),
            Directory::Seasons => self.seasons.iter().map(String::as_str).collect(),
            Directory::Vat => self.vat.iter().map(String::as_str).collect(),
        }
    }
}
