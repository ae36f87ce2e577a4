//! Proto <-> domain conversions of the structure service; errors name the proto field.

use carpetti_proto::catalog::v1 as pb;
use carpetti_util::Code;

use crate::StoreError;
use crate::grpc::convert::{self, opt_text, required_text};
use crate::model::Record;
use crate::model::structure::{
    Attribute, AttributeGroup, AttributeKind, AttributeOption, Category, Completeness, Family,
    FamilyRequirement,
};

fn code(field: &str, raw: &str) -> Result<Code, StoreError> {
    Code::parse(raw).map_err(StoreError::parse(field))
}

fn position(raw: i32) -> i64 {
    i64::from(raw)
}

fn position_pb(stored: i64) -> i32 {
    i32::try_from(stored).unwrap_or(if stored < 0 { i32::MIN } else { i32::MAX })
}

/// Parses a category from the wire.
pub fn category_from_pb(p: pb::Category) -> Result<Category, StoreError> {
    Ok(Category {
        code: code("code", &p.code)?,
        name: required_text("name", &p.name)?,
        parent_id: convert::opt_id("parent_id", p.parent_id.as_deref())?,
        position: position(p.position),
    })
}

/// A stored category for the wire.
pub fn category_to_pb(r: Record<Category>) -> pb::Category {
    pb::Category {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        parent_id: r.value.parent_id.map(|id| id.to_string()),
        parent_code: r.refs.get("parent_code"),
        position: position_pb(r.value.position),
    }
}

/// Parses an attribute group from the wire.
pub fn group_from_pb(p: pb::AttributeGroup) -> Result<AttributeGroup, StoreError> {
    Ok(AttributeGroup {
        code: code("code", &p.code)?,
        name: required_text("name", &p.name)?,
        position: position(p.position),
    })
}

/// A stored attribute group for the wire.
pub fn group_to_pb(r: Record<AttributeGroup>) -> pb::AttributeGroup {
    pb::AttributeGroup {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        position: position_pb(r.value.position),
    }
}

fn kind(raw: i32) -> Result<AttributeKind, StoreError> {
    match pb::AttributeKind::try_from(raw) {
        Ok(pb::AttributeKind::Text) => Ok(AttributeKind::Text),
        Ok(pb::AttributeKind::Number) => Ok(AttributeKind::Number),
        Ok(pb::AttributeKind::Boolean) => Ok(AttributeKind::Boolean),
        Ok(pb::AttributeKind::Option) => Ok(AttributeKind::Option),
        Ok(pb::AttributeKind::Measure) => Ok(AttributeKind::Measure),
        Ok(pb::AttributeKind::Unspecified) | Err(_) => Err(StoreError::invalid(
            "kind",
            "must be one of TEXT, NUMBER, BOOLEAN, OPTION, MEASURE",
        )),
    }
}

fn kind_pb(kind: AttributeKind) -> pb::AttributeKind {
    match kind {
        AttributeKind::Text => pb::AttributeKind::Text,
        AttributeKind::Number => pb::AttributeKind::Number,
        AttributeKind::Boolean => pb::AttributeKind::Boolean,
        AttributeKind::Option => pb::AttributeKind::Option,
        AttributeKind::Measure => pb::AttributeKind::Measure,
    }
}

/// Parses an attribute from the wire (including the unit / multi-value rules of its kind).
pub fn attribute_from_pb(p: pb::Attribute) -> Result<Attribute, StoreError> {
    let attribute = Attribute {
        code: code("code", &p.code)?,
        name: required_text("name", &p.name)?,
        kind: kind(p.kind)?,
        group_id: convert::opt_id("group_id", p.group_id.as_deref())?,
        unit: opt_text(p.unit),
        multi_value: p.multi_value,
        position: position(p.position),
    };
    attribute.validate()?;
    Ok(attribute)
}

/// A stored attribute for the wire.
pub fn attribute_to_pb(r: Record<Attribute>) -> pb::Attribute {
    pb::Attribute {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        kind: kind_pb(r.value.kind).into(),
        group_id: r.value.group_id.map(|id| id.to_string()),
        group_code: r.refs.get("group_code"),
        unit: r.value.unit,
        multi_value: r.value.multi_value,
        position: position_pb(r.value.position),
    }
}

/// Parses an attribute option from the wire.
pub fn option_from_pb(p: pb::AttributeOption) -> Result<AttributeOption, StoreError> {
    Ok(AttributeOption {
        attribute_id: convert::id("attribute_id", &p.attribute_id)?,
        code: code("code", &p.code)?,
        label: required_text("label", &p.label)?,
        position: position(p.position),
    })
}

/// A stored attribute option for the wire.
pub fn option_to_pb(r: Record<AttributeOption>) -> pb::AttributeOption {
    pb::AttributeOption {
        meta: Some(convert::meta(&r.meta)),
        attribute_id: r.value.attribute_id.to_string(),
        attribute_code: r.refs.get("attribute_code"),
        code: r.value.code.into_inner(),
        label: r.value.label,
        position: position_pb(r.value.position),
    }
}

/// Parses a family from the wire; the codes are resolved (and checked) by the store.
pub fn family_from_pb(p: pb::Family) -> Result<Family, StoreError> {
    let attribute_codes = p
        .attribute_codes
        .iter()
        .enumerate()
        .map(|(i, raw)| code(&format!("attribute_codes[{i}]"), raw))
        .collect::<Result<Vec<_>, _>>()?;
    let requirements = p
        .requirements
        .into_iter()
        .enumerate()
        .map(|(r, req)| {
            Ok(FamilyRequirement {
                channel_code: code(
                    &format!("requirements[{r}].channel_code"),
                    &req.channel_code,
                )?,
                attribute_codes: req
                    .attribute_codes
                    .iter()
                    .enumerate()
                    .map(|(i, raw)| code(&format!("requirements[{r}].attribute_codes[{i}]"), raw))
                    .collect::<Result<Vec<_>, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Family {
        code: code("code", &p.code)?,
        name: required_text("name", &p.name)?,
        attribute_codes,
        requirements,
    })
}

/// A stored family for the wire.
pub fn family_to_pb(r: Record<Family>) -> pb::Family {
    pb::Family {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        attribute_codes: r
            .value
            .attribute_codes
            .into_iter()
            .map(Code::into_inner)
            .collect(),
        requirements: r
            .value
            .requirements
            .into_iter()
            .map(|req| pb::FamilyRequirement {
                channel_code: req.channel_code.into_inner(),
                attribute_codes: req
                    .attribute_codes
                    .into_iter()
                    .map(Code::into_inner)
                    .collect(),
            })
            .collect(),
    }
}

fn count_pb(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A completeness row for the wire.
pub fn completeness_to_pb(r: Record<Completeness>) -> pb::Completeness {
    pb::Completeness {
        meta: Some(convert::meta(&r.meta)),
        product_id: r.value.product_id.to_string(),
        sku: r.refs.get("sku"),
        channel_id: r.value.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        required: count_pb(r.value.required),
        filled: count_pb(r.value.filled),
        missing: r.value.missing,
        computed_at: Some(convert::timestamp(r.value.computed_at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
        match result {
            Err(StoreError::InvalidArgument { field, .. }) => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn attribute(kind: pb::AttributeKind) -> pb::Attribute {
        pb::Attribute {
            code: "width".into(),
            name: "Ширина".into(),
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn category_needs_code_name_and_a_valid_parent() {
        let ok = pb::Category {
            code: "kettles".into(),
            name: "Чайники".into(),
            ..Default::default()
        };
        assert_eq!(category_from_pb(ok.clone()).expect("valid").parent_id, None);
        assert_eq!(
            field(category_from_pb(pb::Category {
                code: " ".into(),
                ..ok.clone()
            })),
            "code"
        );
        assert_eq!(
            field(category_from_pb(pb::Category {
                name: "".into(),
                ..ok.clone()
            })),
            "name"
        );
        let bad_parent = pb::Category {
            parent_id: Some("nope".into()),
            ..ok.clone()
        };
        assert_eq!(field(category_from_pb(bad_parent)), "parent_id");
        let blank_parent = pb::Category {
            parent_id: Some(String::new()),
            ..ok
        };
        assert_eq!(
            category_from_pb(blank_parent)
                .expect("blank = root")
                .parent_id,
            None
        );
    }

    #[test]
    fn attribute_kind_unit_and_multi_value() {
        assert_eq!(
            field(attribute_from_pb(attribute(pb::AttributeKind::Unspecified))),
            "kind"
        );
        assert_eq!(
            field(attribute_from_pb(attribute(pb::AttributeKind::Measure))),
            "unit"
        );
        let text_with_unit = pb::Attribute {
            unit: Some("mm".into()),
            ..attribute(pb::AttributeKind::Text)
        };
        assert_eq!(field(attribute_from_pb(text_with_unit)), "unit");
        let multi_number = pb::Attribute {
            multi_value: true,
            ..attribute(pb::AttributeKind::Number)
        };
        assert_eq!(field(attribute_from_pb(multi_number)), "multi_value");
        let measure = pb::Attribute {
            unit: Some(" mm ".into()),
            ..attribute(pb::AttributeKind::Measure)
        };
        assert_eq!(
            attribute_from_pb(measure).expect("valid").unit.as_deref(),
            Some("mm")
        );
        let bad_group = pb::Attribute {
            group_id: Some("x".into()),
            ..attribute(pb::AttributeKind::Text)
        };
        assert_eq!(field(attribute_from_pb(bad_group)), "group_id");
    }

    #[test]
    fn option_needs_an_attribute_id() {
        let option = pb::AttributeOption {
            code: "red".into(),
            label: "Красный".into(),
            ..Default::default()
        };
        assert_eq!(field(option_from_pb(option)), "attribute_id");
    }

    #[test]
    fn family_codes_are_named_by_path() {
        let family = pb::Family {
            code: "kettle".into(),
            name: "Чайники".into(),
            attribute_codes: vec!["power".into(), "".into()],
            requirements: vec![],
            ..Default::default()
        };
        assert_eq!(field(family_from_pb(family.clone())), "attribute_codes[1]");
        let requirement = pb::FamilyRequirement {
            channel_code: "ozon".into(),
            attribute_codes: vec!["power".into(), "volume".into(), " ".into()],
        };
        let bad_requirement = pb::Family {
            attribute_codes: vec!["power".into()],
            requirements: vec![
                requirement.clone(),
                pb::FamilyRequirement {
                    channel_code: String::new(),
                    ..requirement
                },
            ],
            ..family.clone()
        };
        assert_eq!(
            field(family_from_pb(bad_requirement)),
            "requirements[0].attribute_codes[2]"
        );
        let no_channel = pb::Family {
            attribute_codes: vec!["power".into()],
            requirements: vec![pb::FamilyRequirement {
                channel_code: String::new(),
                attribute_codes: vec![],
            }],
            ..family
        };
        assert_eq!(
            field(family_from_pb(no_channel)),
            "requirements[0].channel_code"
        );
    }
}
