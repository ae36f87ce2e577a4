//! The sandbox's dictionary: the seed tree indexed by category id, served on
//! `POST /v2/categories/tree` and `POST /v2/category/{categoryId}/parameters`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;

use super::YandexMarketSandbox;
use super::config::{ParameterKind, SeedCategory, SeedParameter};
use super::http::{Refusal, bad_request, json_ok};
use crate::wire::Envelope;
use crate::wire::dictionary::{
    CategoryNode, CategoryParameters, Constraints, Parameter, ParameterUnit, Unit, ValueOption,
};

/// One category of the tree.
#[derive(Debug)]
pub(crate) struct Category {
    pub name: String,
    pub leaf: bool,
    pub parameters: Vec<SeedParameter>,
}

impl Category {
    pub fn parameter(&self, id: i64) -> Option<&SeedParameter> {
        self.parameters.iter().find(|p| p.id == id)
    }
}

/// The tree by category id.
#[derive(Debug)]
pub(crate) struct Dictionary {
    pub root: SeedCategory,
    pub categories: HashMap<i64, Category>,
}

impl Dictionary {
    pub fn new(root: SeedCategory) -> Self {
        let mut categories = HashMap::new();
        index(&root, &mut categories);
        Self { root, categories }
    }

    pub fn category(&self, id: i64) -> Option<&Category> {
        self.categories.get(&id)
    }
}

fn index(node: &SeedCategory, into: &mut HashMap<i64, Category>) {
    into.insert(
        node.id,
        Category {
            name: node.name.clone(),
            leaf: node.children.is_empty(),
            parameters: node.parameters.clone(),
        },
    );
    for child in &node.children {
        index(child, into);
    }
}

fn node(category: &SeedCategory) -> CategoryNode {
    CategoryNode {
        id: category.id,
        name: category.name.clone(),
        children: (!category.children.is_empty())
            .then(|| category.children.iter().map(node).collect()),
    }
}

fn parameter(seed: &SeedParameter) -> Parameter {
    Parameter {
        id: seed.id,
        name: Some(seed.name.clone()),
        kind: seed.kind.as_str().to_owned(),
        unit: seed.units.first().map(|(default, _, _)| ParameterUnit {
            default_unit_id: *default,
            units: seed
                .units
                .iter()
                .map(|(id, name, full_name)| Unit {
                    id: *id,
                    name: name.clone(),
                    full_name: full_name.clone(),
                })
                .collect(),
        }),
        description: None,
        required: seed.required,
        filtering: seed.kind == ParameterKind::Enum,
        distinctive: false,
        multivalue: seed.multivalue,
        allow_custom_values: seed.allow_custom_values,
        values: (!seed.values.is_empty()).then(|| {
            seed.values
                .iter()
                .map(|(id, value)| ValueOption {
                    id: *id,
                    value: value.clone(),
                    description: None,
                })
                .collect()
        }),
        constraints: seed.max_length.map(|max_length| Constraints {
            max_length: Some(max_length),
            ..Constraints::default()
        }),
    }
}

pub(super) async fn tree(State(sandbox): State<YandexMarketSandbox>) -> Response {
    json_ok(&Envelope::ok(node(&sandbox.inner.dictionary.root)))
}

pub(super) async fn parameters(
    State(sandbox): State<YandexMarketSandbox>,
    Path(category): Path<String>,
) -> Result<Response, Refusal> {
    let Some(id) = category.parse::<i64>().ok().filter(|id| *id > 0) else {
        return Err(bad_request(
            "BAD_REQUEST",
            format!("categoryId «{category}» is not a positive integer"),
        ));
    };
    let Some(found) = sandbox.inner.dictionary.category(id) else {
        return Err(bad_request(
            "UNKNOWN_CATEGORY",
            format!("Категория {id} не найдена"),
        ));
    };
    if !found.leaf {
        return Err(bad_request(
            "CATEGORY_IS_NOT_LEAF",
            format!("Категория {id} не является листовой"),
        ));
    }
    Ok(json_ok(&Envelope::ok(CategoryParameters {
        category_id: id,
        parameters: (!found.parameters.is_empty())
            .then(|| found.parameters.iter().map(parameter).collect()),
    })))
}
