//! carpetti-openapi: path matching, request/response checks against the marketplace specs in
//! testdata/marketplaces/specs, the OpenAPI 3.0 → JSON Schema conversions, and load errors.

mod conversions;
mod documents;
mod ozon;
mod paths;
mod wb;
mod ym;

use std::{path::PathBuf, sync::LazyLock};

use carpetti_openapi::{CheckError, Spec, Violations};

pub fn spec_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/marketplaces/specs")
        .join(file)
}

fn load(file: &str) -> Spec {
    let path = spec_path(file);
    let loaded = if file.ends_with(".json") {
        Spec::from_json_file(&path)
    } else {
        Spec::from_yaml_file(&path)
    };
    loaded.unwrap_or_else(|error| panic!("{error}"))
}

pub static OZON: LazyLock<Spec> = LazyLock::new(|| load("ozon-seller.json"));
pub static YM: LazyLock<Spec> = LazyLock::new(|| load("ym.json"));
pub static WB_GENERAL: LazyLock<Spec> = LazyLock::new(|| load("wb-01-general.yaml"));
pub static WB_PRODUCTS: LazyLock<Spec> = LazyLock::new(|| load("wb-02-products.yaml"));
pub static WB_FBS: LazyLock<Spec> = LazyLock::new(|| load("wb-03-orders-fbs.yaml"));

/// The violations of a check that must fail with violations (not with a spec error).
pub fn violations(result: Result<(), CheckError>) -> Violations {
    match result {
        Ok(()) => panic!("the body was accepted"),
        Err(CheckError::Invalid(violations)) => violations,
        Err(CheckError::Spec(error)) => panic!("spec error instead of violations: {error}"),
    }
}

/// Panics with every violation listed when the check fails.
pub fn accepted(result: Result<(), CheckError>) {
    if let Err(error) = result {
        panic!("{error}");
    }
}
