//! The sandbox's dictionary: a small category tree whose leaves carry info models (master
//! attributes as NOTES reports them, content attributes of our own invention, some required, some
//! dictionary-valued).

use serde::{Deserialize, Serialize};

use crate::api::master;

/// The kind of values an attribute takes (`valueTypeCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeedKind {
    String,
    Number,
    Boolean,
    Enum,
}

/// One attribute of a leaf category's info model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedAttribute {
    pub id: u64,
    pub name: String,
    pub kind: SeedKind,
    pub required: bool,
    pub multiple: bool,
    /// For `Enum`: whether values outside the dictionary are taken.
    pub suggest: bool,
    pub unit: Option<String>,
    /// Dictionary values (id, exact text) of an `Enum`.
    pub values: Vec<(u64, String)>,
}

impl SeedAttribute {
    pub fn new(id: u64, name: &str, kind: SeedKind, required: bool) -> Self {
        Self {
            id,
            name: name.to_owned(),
            kind,
            required,
            multiple: false,
            suggest: false,
            unit: None,
            values: Vec::new(),
        }
    }

    pub fn multiple(mut self) -> Self {
        self.multiple = true;
        self
    }

    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.to_owned());
        self
    }

    pub fn suggest(mut self) -> Self {
        self.suggest = true;
        self
    }

    pub fn values(mut self, first_id: u64, values: &[&str]) -> Self {
        self.values = (first_id..)
            .zip(values)
            .map(|(id, v)| (id, (*v).to_owned()))
            .collect();
        self
    }
}

/// A category; a leaf (no children) carries content attributes and takes cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedCategory {
    pub id: u64,
    pub name: String,
    pub children: Vec<SeedCategory>,
    /// Content attributes of a leaf (master attributes are the same for every leaf).
    pub attributes: Vec<SeedAttribute>,
}

impl SeedCategory {
    pub fn branch(id: u64, name: &str, children: Vec<SeedCategory>) -> Self {
        Self {
            id,
            name: name.to_owned(),
            children,
            attributes: Vec::new(),
        }
    }

    pub fn leaf(id: u64, name: &str, attributes: Vec<SeedAttribute>) -> Self {
        Self {
            id,
            name: name.to_owned(),
            children: Vec::new(),
            attributes,
        }
    }
}

/// The master attributes of every leaf (ids as NOTES reports them).
pub fn master_attributes() -> Vec<SeedAttribute> {
    use SeedKind::{Number, String};
    vec![
        SeedAttribute::new(master::NAME, "Наименование", String, true),
        SeedAttribute::new(master::BRAND, "Бренд", String, true),
        SeedAttribute::new(master::DESCRIPTION, "Описание", String, false),
        SeedAttribute::new(master::ARTICLE, "Код товара продавца", String, false),
        SeedAttribute::new(master::WEIGHT_KG, "Вес", Number, true).unit("кг"),
        SeedAttribute::new(master::LENGTH_CM, "Длина", Number, true).unit("см"),
        SeedAttribute::new(master::HEIGHT_CM, "Высота", Number, true).unit("см"),
        SeedAttribute::new(master::WIDTH_CM, "Ширина", Number, true).unit("см"),
        SeedAttribute::new(master::PHOTOS, "Фото", String, true).multiple(),
        SeedAttribute::new(master::BARCODE, "Штрихкод", String, false).multiple(),
    ]
}

/// Ids of the default leaves.
pub const MICROWAVES: u64 = 80_608_010_102;
pub const KETTLES: u64 = 80_608_010_105;
pub const T_SHIRTS: u64 = 20_101_010_101;

/// Content attribute ids of the default dictionary.
pub const TYPE: u64 = 100_001;
pub const POWER: u64 = 100_002;
pub const COLOUR: u64 = 100_003;
pub const WARRANTY: u64 = 100_004;
pub const VOLUME: u64 = 100_005;
pub const BODY_MATERIAL: u64 = 100_006;
pub const AUTO_OFF: u64 = 100_007;
pub const SIZE: u64 = 200_001;
pub const COMPOSITION: u64 = 200_002;

/// Two departments, three leaves.
pub fn default_tree() -> Vec<SeedCategory> {
    use SeedKind::{Boolean, Enum, Number, String};
    let colour = SeedAttribute::new(COLOUR, "Цвет", Enum, false)
        .suggest()
        .values(300, &["белый", "черный", "серебристый"]);
    vec![
        SeedCategory::branch(
            80_000_000_000,
            "Бытовая техника",
            vec![SeedCategory::branch(
                80_608_000_000,
                "Техника для кухни",
                vec![
                    SeedCategory::leaf(
                        MICROWAVES,
                        "Микроволновые печи",
                        vec![
                            SeedAttribute::new(TYPE, "Тип", Enum, true)
                                .values(1, &["Соло", "С грилем", "Конвекционная"]),
                            SeedAttribute::new(POWER, "Мощность", Number, true).unit("Вт"),
                            colour.clone(),
                            SeedAttribute::new(WARRANTY, "Гарантийный срок", String, false),
                        ],
                    ),
                    SeedCategory::leaf(
                        KETTLES,
                        "Электрочайники",
                        vec![
                            SeedAttribute::new(POWER, "Мощность", Number, true).unit("Вт"),
                            SeedAttribute::new(VOLUME, "Объем", Number, true).unit("л"),
                            SeedAttribute::new(BODY_MATERIAL, "Материал корпуса", Enum, true)
                                .values(10, &["пластик", "стекло", "металл"]),
                            SeedAttribute::new(AUTO_OFF, "Автоотключение", Boolean, false),
                            colour,
                        ],
                    ),
                ],
            )],
        ),
        SeedCategory::branch(
            20_000_000_000,
            "Одежда",
            vec![SeedCategory::branch(
                20_101_000_000,
                "Женская одежда",
                vec![SeedCategory::leaf(
                    T_SHIRTS,
                    "Футболки",
                    vec![
                        SeedAttribute::new(SIZE, "Размер", Enum, true)
                            .values(20, &["XS", "S", "M", "L", "XL"]),
                        SeedAttribute::new(COMPOSITION, "Состав", String, false).multiple(),
                        SeedAttribute::new(COLOUR, "Цвет", Enum, true)
                            .values(300, &["белый", "черный", "серебристый"]),
                    ],
                )],
            )],
        ),
    ]
}
