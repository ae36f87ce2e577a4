//! What WB checks while it processes a card (the failures land in the error list, one message
//! each, naming the characteristic in «…»): title and description length, characteristics the
//! subject does not have, values of the wrong type, more values than `maxCount`, values missing
//! from the characteristic's directory, required characteristics missing, barcodes of another card.

use serde_json::Value;

use super::seed::{Seed, SeedSubject};
use super::state::State;

pub const TITLE_MAX: usize = 60;
pub const DESCRIPTION_MAX: usize = 5000;

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The messages WB would give for one card (variant or update item); empty when it passes.
/// `own` is the card's nmID when it exists (its own barcodes are not "another card's").
pub(crate) fn check_card(
    seed: &Seed,
    subject: &SeedSubject,
    card: &Value,
    own: Option<i64>,
    state: &State,
) -> Vec<String> {
    let mut errors = Vec::new();
    if text(card, "title").chars().count() > TITLE_MAX {
        errors.push(format!(
            "Наименование товара должно содержать не более {TITLE_MAX} символов"
        ));
    }
    if text(card, "description").chars().count() > DESCRIPTION_MAX {
        errors.push(format!(
            "Описание товара должно содержать не более {DESCRIPTION_MAX} символов"
        ));
    }
    let given = match card.get("characteristics") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            errors.push("Характеристики должны быть массивом".to_owned());
            Vec::new()
        }
    };
    let mut present = Vec::new();
    for item in &given {
        let Some(id) = item.get("id").and_then(Value::as_i64) else {
            errors.push("У характеристики не указан ID".to_owned());
            continue;
        };
        let Some(charc) = subject.charcs.iter().find(|c| c.id == id) else {
            errors.push(format!(
                "Характеристика с ID {id} отсутствует у предмета «{}»",
                subject.name
            ));
            continue;
        };
        let value = item.get("value").unwrap_or(&Value::Null);
        let name = &charc.name;
        if charc.charc_type == 4 {
            if value.is_number() {
                present.push(id);
            } else {
                errors.push(format!(
                    "Значение характеристики «{name}» должно быть числом"
                ));
            }
            continue;
        }
        let Some(values) = value.as_array().filter(|a| a.iter().all(Value::is_string)) else {
            errors.push(format!(
                "Значение характеристики «{name}» должно быть массивом строк"
            ));
            continue;
        };
        let values: Vec<&str> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            continue;
        }
        present.push(id);
        if charc.max_count > 0 && values.len() as i64 > charc.max_count {
            errors.push(format!(
                "Превышено количество значений характеристики «{name}»: не более {}",
                charc.max_count
            ));
        }
        if let Some(directory) = charc.directory {
            let allowed = seed.directory(directory);
            for value in values {
                let known = allowed
                    .iter()
                    .any(|a| a.trim().to_lowercase() == value.to_lowercase());
                if !known {
                    errors.push(format!(
                        "Недопустимое значение «{value}» характеристики «{name}»"
                    ));
                }
            }
        }
    }
    for charc in subject.charcs.iter().filter(|c| c.required) {
        if !present.contains(&charc.id) {
            errors.push(format!(
                "Не заполнена обязательная характеристика «{}»",
                charc.name
            ));
        }
    }
    let sizes = card
        .get("sizes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for size in &sizes {
        for sku in size
            .get("skus")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if let Some(owner) = state.by_barcode.get(sku)
                && Some(*owner) != own
            {
                errors.push(format!(
                    "Баркод {sku} уже используется в другой карточке товара"
                ));
            }
        }
    }
    errors
}

/// The card's characteristics as stored: (id, name, value).
pub(crate) fn characteristics(subject: &SeedSubject, card: &Value) -> Vec<(i64, String, Value)> {
    card.get("characteristics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let id = item.get("id")?.as_i64()?;
            let charc = subject.charcs.iter().find(|c| c.id == id)?;
            Some((id, charc.name.clone(), item.get("value")?.clone()))
        })
        .collect()
}
