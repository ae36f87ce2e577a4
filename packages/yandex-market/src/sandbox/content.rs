//! How the Market judges an offer, at the two levels it reports:
//!
//! - at once, per offer, in the `offer-mappings/update` answer (`OfferMappingErrorType`: unknown
//!   or non-leaf category, a parameter the category does not have, a number or boolean that is
//!   not one, a unit the parameter does not take) — one such error refuses the whole call;
//! - after processing, on the card (`offer-cards` errors, card status): a field needed to create
//!   a card missing, a required parameter missing, a value not in the parameter's dictionary.

use crate::wire::offers::{MappingError, OfferError, UpdateOffer};

use super::config::ParameterKind;
use super::dictionary::Dictionary;

/// The offer's errors of the first kind (empty: the offer may be saved).
pub(crate) fn item_errors(
    offer: &UpdateOffer,
    stored_category: Option<i64>,
    dictionary: &Dictionary,
) -> Vec<MappingError> {
    let mut errors = Vec::new();
    let error = |kind: &str, parameter_id: Option<i64>, message: String| MappingError {
        kind: kind.to_owned(),
        parameter_id,
        message,
    };
    if let Some(id) = offer.market_category_id {
        match dictionary.category(id) {
            None => errors.push(error(
                "UNKNOWN_CATEGORY",
                None,
                format!("Неизвестная категория {id}"),
            )),
            Some(category) if !category.leaf => errors.push(error(
                "INVALID_CATEGORY",
                None,
                format!(
                    "Категория {id} «{}» не листовая: укажите категорию без подкатегорий",
                    category.name
                ),
            )),
            Some(_) => {}
        }
    }
    let values = offer.parameter_values.as_deref().unwrap_or_default();
    if values.is_empty() || !errors.is_empty() {
        return errors;
    }
    let Some(category) = offer
        .market_category_id
        .or(stored_category)
        .and_then(|id| dictionary.category(id))
    else {
        errors.push(error(
            "EMPTY_MARKET_CATEGORY",
            None,
            "Характеристики переданы без категории Маркета (marketCategoryId)".to_owned(),
        ));
        return errors;
    };
    for value in values {
        let id = value.parameter_id;
        let Some(parameter) = category.parameter(id) else {
            errors.push(error(
                "UNKNOWN_PARAMETER",
                Some(id),
                format!("У категории «{}» нет характеристики {id}", category.name),
            ));
            continue;
        };
        let text = value.value.as_deref().unwrap_or("").trim();
        match parameter.kind {
            ParameterKind::Numeric
                if value.value_id.is_none() && text.replace(',', ".").parse::<f64>().is_err() =>
            {
                errors.push(error(
                    "NUMBER_FORMAT",
                    Some(id),
                    format!(
                        "Значение «{text}» характеристики «{}» — не число",
                        parameter.name
                    ),
                ));
            }
            ParameterKind::Boolean
                if value.value_id.is_none()
                    && !text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false") =>
            {
                errors.push(error(
                    "UNEXPECTED_BOOLEAN_VALUE",
                    Some(id),
                    format!(
                        "Значение «{text}» характеристики «{}» — не true или false",
                        parameter.name
                    ),
                ));
            }
            _ => {}
        }
        if let Some(unit) = value.unit_id
            && !parameter.units.iter().any(|(known, _, _)| *known == unit)
        {
            errors.push(error(
                "INVALID_UNIT_ID",
                Some(id),
                format!(
                    "Единица {unit} недопустима для характеристики «{}»",
                    parameter.name
                ),
            ));
        }
    }
    errors
}

/// The offer's errors of the second kind, and whether content is missing (rather than wrong).
pub(crate) fn content_errors(
    offer: &UpdateOffer,
    dictionary: &Dictionary,
) -> (Vec<OfferError>, bool) {
    let mut errors = Vec::new();
    let mut missing = false;
    let mut push = |message: &str, comment: String| {
        errors.push(OfferError {
            message: Some(message.to_owned()),
            comment: Some(comment),
        });
    };
    for (field, present) in [
        (
            "name",
            offer.name.as_deref().is_some_and(|t| !t.trim().is_empty()),
        ),
        ("marketCategoryId", offer.market_category_id.is_some()),
        (
            "pictures",
            offer.pictures.as_ref().is_some_and(|p| !p.is_empty()),
        ),
        (
            "vendor",
            offer
                .vendor
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
        ),
        (
            "description",
            offer
                .description
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
        ),
    ] {
        if !present {
            missing = true;
            push("Не заполнено обязательное поле", field.to_owned());
        }
    }
    let Some(category) = offer
        .market_category_id
        .and_then(|id| dictionary.category(id))
    else {
        return (errors, missing);
    };
    let values = offer.parameter_values.as_deref().unwrap_or_default();
    for parameter in &category.parameters {
        let given: Vec<_> = values
            .iter()
            .filter(|v| v.parameter_id == parameter.id)
            .filter(|v| {
                v.value_id.is_some() || v.value.as_deref().is_some_and(|t| !t.trim().is_empty())
            })
            .collect();
        let named = format!("«{}» (parameterId {})", parameter.name, parameter.id);
        if given.is_empty() {
            if parameter.required {
                missing = true;
                push("Не заполнена обязательная характеристика", named);
            }
            continue;
        }
        if given.len() > 1 && !parameter.multivalue {
            push(
                "Характеристика принимает одно значение",
                format!("{named}: {} значений", given.len()),
            );
        }
        if parameter.kind != ParameterKind::Enum {
            continue;
        }
        for value in given {
            let known = match (value.value_id, value.value.as_deref()) {
                (Some(value_id), _) => parameter.values.iter().any(|(id, _)| *id == value_id),
                (None, Some(text)) => {
                    parameter.allow_custom_values
                        || parameter
                            .values
                            .iter()
                            .any(|(_, known)| known.to_lowercase() == text.trim().to_lowercase())
                }
                (None, None) => true,
            };
            if !known {
                let shown = value.value_id.map_or_else(
                    || value.value.clone().unwrap_or_default(),
                    |id| format!("valueId {id}"),
                );
                push(
                    "Значения нет в справочнике характеристики",
                    format!("{named}: {shown}"),
                );
            }
        }
    }
    (errors, missing)
}
