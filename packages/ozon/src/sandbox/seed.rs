//! The sandbox's dictionaries and warehouses: a small but realistic slice of Ozon's tree (two
//! description categories, three product types) with required, optional and dictionary-valued
//! attributes under Ozon's own attribute ids.

use serde::{Deserialize, Serialize};

/// A description category: inner node of the tree; product types are its leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedCategory {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub children: Vec<SeedCategory>,
    #[serde(default)]
    pub types: Vec<SeedType>,
}

/// A product type (leaf): products are created on these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedType {
    pub id: i64,
    pub name: String,
    pub attributes: Vec<SeedAttribute>,
}

/// An attribute of a product type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedAttribute {
    pub id: i64,
    pub name: String,
    /// Ozon's type word: `String`, `multiline`, `Integer`, `Decimal`, `Boolean`, `URL`.
    pub kind: String,
    pub required: bool,
    pub collection: bool,
    /// 0 when the attribute takes free values.
    pub dictionary_id: i64,
    #[serde(default)]
    pub values: Vec<SeedValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedValue {
    pub id: i64,
    pub value: String,
}

/// A seller FBS warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedWarehouse {
    pub id: i64,
    pub name: String,
}

/// Carpets: `description_category_id/type_id`.
pub const CARPET: &str = "17028650/94765";
/// Door mats.
pub const DOORMAT: &str = "17028650/970895715";
/// Floor lamps.
pub const FLOOR_LAMP: &str = "17028741/92036";

pub const ATTR_BRAND: i64 = 85;
pub const ATTR_MODEL: i64 = 9048;
pub const ATTR_COLOR: i64 = 10096;
pub const ATTR_ANNOTATION: i64 = 4191;
pub const ATTR_COUNTRY: i64 = 4389;
pub const ATTR_PILE: i64 = 11025;
pub const ATTR_WEIGHT: i64 = 4497;
pub const ATTR_SOCKET: i64 = 11389;
pub const ATTR_POWER: i64 = 10001;

pub const BRAND_NONE: i64 = 126_745_801;
pub const BRAND_CARPETTI: i64 = 971_082_001;
pub const COLOR_GREY: i64 = 61576;
pub const COLOR_BEIGE: i64 = 61585;
pub const PILE_WOOL: i64 = 970_688_301;
pub const SOCKET_E27: i64 = 970_734_001;

/// The first warehouse of the default seed.
pub const WAREHOUSE_MAIN: i64 = 22_142_605_386_000;
pub const WAREHOUSE_KAZAN: i64 = 22_142_605_386_001;

fn values(pairs: &[(i64, &str)]) -> Vec<SeedValue> {
    pairs
        .iter()
        .map(|(id, value)| SeedValue {
            id: *id,
            value: (*value).to_owned(),
        })
        .collect()
}

fn attribute(id: i64, name: &str, kind: &str, required: bool, collection: bool) -> SeedAttribute {
    SeedAttribute {
        id,
        name: name.to_owned(),
        kind: kind.to_owned(),
        required,
        collection,
        dictionary_id: 0,
        values: Vec::new(),
    }
}

fn dictionary(
    id: i64,
    name: &str,
    required: bool,
    collection: bool,
    dictionary_id: i64,
    pairs: &[(i64, &str)],
) -> SeedAttribute {
    SeedAttribute {
        dictionary_id,
        values: values(pairs),
        ..attribute(id, name, "String", required, collection)
    }
}

fn brand() -> SeedAttribute {
    dictionary(
        ATTR_BRAND,
        "Бренд",
        true,
        false,
        28_732_849,
        &[
            (5_061_112, "IKEA"),
            (126_745_801, "Нет бренда"),
            (971_082_001, "Carpetti"),
            (971_082_002, "Tarkett"),
        ],
    )
}

fn color() -> SeedAttribute {
    dictionary(
        ATTR_COLOR,
        "Цвет товара",
        false,
        true,
        1495,
        &[
            (61571, "белый"),
            (61574, "черный"),
            (61576, "серый"),
            (61581, "красный"),
            (61585, "бежевый"),
        ],
    )
}

fn country() -> SeedAttribute {
    dictionary(
        ATTR_COUNTRY,
        "Страна-изготовитель",
        false,
        true,
        1935,
        &[(90295, "Россия"), (90296, "Турция"), (90297, "Бельгия")],
    )
}

fn common(required_pile: bool) -> Vec<SeedAttribute> {
    vec![
        brand(),
        attribute(
            ATTR_MODEL,
            "Название модели (для объединения в одну карточку)",
            "String",
            true,
            false,
        ),
        color(),
        attribute(ATTR_ANNOTATION, "Аннотация", "multiline", false, false),
        country(),
        dictionary(
            ATTR_PILE,
            "Материал ворса",
            required_pile,
            false,
            970_688_300,
            &[
                (970_688_301, "шерсть"),
                (970_688_302, "полипропилен"),
                (970_688_303, "вискоза"),
                (970_688_304, "хлопок"),
            ],
        ),
        attribute(ATTR_WEIGHT, "Вес товара, г", "Integer", false, false),
    ]
}

/// The default tree: Дом и сад → Ковры (ковер, коврик придверный), Освещение (торшер).
pub fn default_catalog() -> Vec<SeedCategory> {
    vec![SeedCategory {
        id: 17_027_495,
        name: "Дом и сад".to_owned(),
        types: Vec::new(),
        children: vec![
            SeedCategory {
                id: 17_028_650,
                name: "Ковры и ковровые покрытия".to_owned(),
                children: Vec::new(),
                types: vec![
                    SeedType {
                        id: 94765,
                        name: "Ковер".to_owned(),
                        attributes: common(true),
                    },
                    SeedType {
                        id: 970_895_715,
                        name: "Коврик придверный".to_owned(),
                        attributes: common(false),
                    },
                ],
            },
            SeedCategory {
                id: 17_028_741,
                name: "Освещение".to_owned(),
                children: Vec::new(),
                types: vec![SeedType {
                    id: 92036,
                    name: "Торшер".to_owned(),
                    attributes: vec![
                        brand(),
                        attribute(
                            ATTR_MODEL,
                            "Название модели (для объединения в одну карточку)",
                            "String",
                            true,
                            false,
                        ),
                        color(),
                        attribute(ATTR_ANNOTATION, "Аннотация", "multiline", false, false),
                        dictionary(
                            ATTR_SOCKET,
                            "Тип цоколя",
                            true,
                            true,
                            970_734_000,
                            &[
                                (970_734_001, "E27"),
                                (970_734_002, "E14"),
                                (970_734_003, "GU10"),
                            ],
                        ),
                        attribute(ATTR_POWER, "Мощность, Вт", "Decimal", false, false),
                    ],
                }],
            },
        ],
    }]
}

pub fn default_warehouses() -> Vec<SeedWarehouse> {
    vec![
        SeedWarehouse {
            id: WAREHOUSE_MAIN,
            name: "Основной склад FBS".to_owned(),
        },
        SeedWarehouse {
            id: WAREHOUSE_KAZAN,
            name: "Склад Казань".to_owned(),
        },
    ]
}
