//! The sandbox's default dictionary: a small slice of the Market's tree (home textiles and
//! headphones) with realistic parameters — required ones, `ENUM`s with values, numbers with
//! units, a boolean.

use super::config::{ParameterKind, SeedCategory, SeedParameter};

/// Ковры (leaf).
pub const CARPETS: i64 = 15_367_000;
/// Полотенца (leaf).
pub const TOWELS: i64 = 15_368_000;
/// Наушники и Bluetooth-гарнитуры (leaf).
pub const HEADPHONES: i64 = 90_555;
/// Текстиль для дома (not a leaf).
pub const HOME_TEXTILES: i64 = 15_366_000;

/// Цвет товара (ENUM, required for carpets and towels).
pub const COLOR: i64 = 14_871_214;
/// Материал (ENUM, required).
pub const MATERIAL: i64 = 37_833_630;
/// Длина, см (NUMERIC, required for carpets).
pub const LENGTH: i64 = 23_674_510;
/// Ширина, см (NUMERIC, required for carpets).
pub const WIDTH: i64 = 23_674_530;
/// Безворсовый (BOOLEAN).
pub const LINTLESS: i64 = 27_141_090;
/// Коллекция (TEXT).
pub const COLLECTION: i64 = 37_836_010;
/// Плотность, г/м² (NUMERIC).
pub const DENSITY: i64 = 37_833_650;
/// Тип подключения (ENUM, required for headphones).
pub const CONNECTION: i64 = 4_925_670;

fn values(pairs: &[(i64, &str)]) -> Vec<(i64, String)> {
    pairs.iter().map(|(id, v)| (*id, (*v).to_owned())).collect()
}

fn parameter(id: i64, name: &str, kind: ParameterKind, required: bool) -> SeedParameter {
    SeedParameter {
        id,
        name: name.to_owned(),
        kind,
        required,
        multivalue: false,
        allow_custom_values: kind != ParameterKind::Enum,
        values: Vec::new(),
        units: Vec::new(),
        max_length: (kind == ParameterKind::Text).then_some(255),
    }
}

fn color(required: bool) -> SeedParameter {
    SeedParameter {
        multivalue: true,
        values: values(&[
            (12_107_000, "бежевый"),
            (12_107_001, "белый"),
            (12_107_002, "серый"),
            (12_107_003, "синий"),
            (12_107_004, "красный"),
            (12_107_005, "черный"),
        ]),
        ..parameter(COLOR, "Цвет товара", ParameterKind::Enum, required)
    }
}

fn centimetres(id: i64, name: &str) -> SeedParameter {
    SeedParameter {
        units: vec![
            (7, "см".to_owned(), "сантиметр".to_owned()),
            (8, "м".to_owned(), "метр".to_owned()),
        ],
        ..parameter(id, name, ParameterKind::Numeric, true)
    }
}

fn leaf(id: i64, name: &str, parameters: Vec<SeedParameter>) -> SeedCategory {
    SeedCategory {
        id,
        name: name.to_owned(),
        children: Vec::new(),
        parameters,
    }
}

fn branch(id: i64, name: &str, children: Vec<SeedCategory>) -> SeedCategory {
    SeedCategory {
        id,
        name: name.to_owned(),
        children,
        parameters: Vec::new(),
    }
}

/// The default tree.
pub fn catalog() -> SeedCategory {
    let carpets = leaf(
        CARPETS,
        "Ковры",
        vec![
            color(true),
            SeedParameter {
                values: values(&[
                    (37_833_631, "шерсть"),
                    (37_833_632, "полипропилен"),
                    (37_833_633, "вискоза"),
                    (37_833_634, "хлопок"),
                ]),
                ..parameter(MATERIAL, "Материал", ParameterKind::Enum, true)
            },
            centimetres(LENGTH, "Длина"),
            centimetres(WIDTH, "Ширина"),
            parameter(LINTLESS, "Безворсовый", ParameterKind::Boolean, false),
            parameter(COLLECTION, "Коллекция", ParameterKind::Text, false),
        ],
    );
    let towels = leaf(
        TOWELS,
        "Полотенца",
        vec![
            color(true),
            SeedParameter {
                values: values(&[
                    (37_833_634, "хлопок"),
                    (37_833_635, "бамбук"),
                    (37_833_636, "лён"),
                ]),
                ..parameter(MATERIAL, "Материал", ParameterKind::Enum, true)
            },
            SeedParameter {
                units: vec![(
                    105,
                    "г/м²".to_owned(),
                    "грамм на квадратный метр".to_owned(),
                )],
                ..parameter(DENSITY, "Плотность", ParameterKind::Numeric, false)
            },
        ],
    );
    let headphones = leaf(
        HEADPHONES,
        "Наушники и Bluetooth-гарнитуры",
        vec![
            SeedParameter {
                values: values(&[(4_925_671, "проводные"), (4_925_672, "беспроводные")]),
                ..parameter(CONNECTION, "Тип подключения", ParameterKind::Enum, true)
            },
            color(false),
        ],
    );
    branch(
        90_401,
        "Все товары",
        vec![
            branch(
                90_666,
                "Дом и дача",
                vec![branch(
                    HOME_TEXTILES,
                    "Текстиль для дома",
                    vec![carpets, towels],
                )],
            ),
            branch(
                198_118,
                "Электроника",
                vec![branch(90_556, "Аудиотехника", vec![headphones])],
            ),
        ],
    )
}
