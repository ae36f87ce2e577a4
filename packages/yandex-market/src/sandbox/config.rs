//! What a [`super::YandexMarketSandbox`] accepts and holds at start: the account (key, cabinet,
//! shop), the pace of its quotas, how long the Market "processes" an offer, and the category
//! tree with its parameters.

use std::time::Duration;

use carpetti_marketplace::Credentials;
use serde_json::json;

/// The key, cabinet and shop `carpetti sandbox` prints.
pub const DEFAULT_API_KEY: &str = "ACMA:sandbox-yandex-market-key:0000";
pub const DEFAULT_BUSINESS_ID: i64 = 7_700_001;
pub const DEFAULT_CAMPAIGN_ID: i64 = 21_000_001;

/// The sandbox's account, pace, delays and dictionary.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The only `Api-Key` accepted (missing → 401, another → 403).
    pub api_key: String,
    pub business_id: i64,
    pub campaign_id: i64,
    /// Every quota `pace` times faster (1.0 = the documented limits).
    pub pace: f64,
    /// How long an accepted offer stays in processing before it gets its card (or its errors).
    pub processing_delay: Duration,
    /// Added to every answer (simulates the Market's own time; makes parallel requests overlap).
    pub latency: Duration,
    /// The root of the category tree; leaves carry parameters.
    pub catalog: SeedCategory,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            business_id: DEFAULT_BUSINESS_ID,
            campaign_id: DEFAULT_CAMPAIGN_ID,
            pace: 1.0,
            processing_delay: Duration::from_secs(1),
            latency: Duration::ZERO,
            catalog: super::seed::catalog(),
        }
    }
}

impl SandboxConfig {
    /// The defaults at `pace`: quotas `pace` times faster, processing `1 s / pace`.
    pub fn paced(pace: f64) -> Self {
        let pace = if pace.is_finite() && pace > 0.0 {
            pace
        } else {
            1.0
        };
        Self {
            pace,
            processing_delay: Duration::from_secs(1).div_f64(pace),
            ..Self::default()
        }
    }

    /// The channel settings that point a connector at this sandbox.
    pub fn channel_settings(&self, base_url: &str) -> serde_json::Value {
        json!({
            "base_url": base_url,
            "business_id": self.business_id,
            "campaign_id": self.campaign_id,
            "warehouses": [self.campaign_id.to_string()],
        })
    }

    /// The credentials this sandbox accepts.
    pub fn credentials(&self) -> Credentials {
        Credentials::new().with("api_key", self.api_key.clone())
    }
}

/// A category: a leaf when it has no children.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedCategory {
    pub id: i64,
    pub name: String,
    pub children: Vec<SeedCategory>,
    /// Parameters of a leaf.
    pub parameters: Vec<SeedParameter>,
}

/// `TEXT`, `ENUM`, `BOOLEAN`, `NUMERIC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterKind {
    Text,
    Enum,
    Boolean,
    Numeric,
}

impl ParameterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterKind::Text => "TEXT",
            ParameterKind::Enum => "ENUM",
            ParameterKind::Boolean => "BOOLEAN",
            ParameterKind::Numeric => "NUMERIC",
        }
    }
}

/// A category parameter and, for `ENUM`, its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedParameter {
    pub id: i64,
    pub name: String,
    pub kind: ParameterKind,
    pub required: bool,
    pub multivalue: bool,
    pub allow_custom_values: bool,
    /// `(valueId, text)` of an `ENUM`.
    pub values: Vec<(i64, String)>,
    /// `(unitId, name, full name)`, the first the default.
    pub units: Vec<(i64, String, String)>,
    /// Longest text value.
    pub max_length: Option<i32>,
}
