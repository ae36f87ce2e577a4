//! Time: every timestamp Carpetti stores is UTC, truncated to microseconds so that it round-trips
//! through PostgreSQL (`timestamptz` has microsecond precision) and SQLite unchanged.

use chrono::{DateTime, SubsecRound, Utc};

/// The current UTC time at microsecond precision.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
