//! The suppliers' import schedules: each active supplier with a cron `schedule` is imported when
//! its expression fires. Checked every [`TICK`]; a fire time between two checks starts one import
//! (a process that was down during a fire time does not catch up: the next one comes).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::import::{ImportRequest, Importer, NoProgress};

/// How often the schedules are checked.
pub const TICK: Duration = Duration::from_secs(30);

/// Whether `expression` fires in `(after, until]`. Accepts standard 5-field cron (minute hour
/// day month weekday) and the 6/7-field form with seconds (and year).
pub fn fires_between(
    expression: &str,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, String> {
    let fields = expression.split_whitespace().count();
    let full = if fields == 5 {
        format!("0 {expression}")
    } else {
        expression.to_owned()
    };
    let schedule =
        cron::Schedule::from_str(&full).map_err(|err| format!("{expression:?}: {err}"))?;
    Ok(schedule
        .after(&after)
        .next()
        .is_some_and(|next| next <= until))
}

/// Runs the schedules until `shutdown`.
pub async fn run(importer: Arc<Importer>, shutdown: impl Future<Output = ()> + Send) {
    tokio::pin!(shutdown);
    let mut last = Utc::now();
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(TICK) => {}
        }
        let now = Utc::now();
        let suppliers = match importer.catalog().active_suppliers().await {
            Ok(suppliers) => suppliers,
            Err(err) => {
                tracing::warn!(%err, "cannot read the suppliers' schedules; retrying");
                continue;
            }
        };
        for supplier in suppliers {
            let Some(expression) = supplier
                .schedule
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            else {
                continue;
            };
            match fires_between(expression, last, now) {
                Ok(true) => {
                    let importer = Arc::clone(&importer);
                    let code = supplier.code.clone();
                    tokio::spawn(async move {
                        let request = ImportRequest {
                            supplier_code: code.clone(),
                            ..Default::default()
                        };
                        match importer.import(request, Arc::new(NoProgress)).await {
                            Ok(report) => {
                                tracing::info!(supplier = %code, run = ?report.run.map(|r| r.meta.map(|m| m.id)), "scheduled import done")
                            }
                            Err(err) => {
                                tracing::error!(supplier = %code, %err, "scheduled import failed")
                            }
                        }
                    });
                }
                Ok(false) => {}
                Err(err) => tracing::warn!(supplier = %supplier.code, %err, "bad schedule"),
            }
        }
        last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_field_cron_fires_once_in_its_minute() {
        let at = |h, m, s| {
            Utc.with_ymd_and_hms(2026, 12, 2, h, m, s)
                .single()
                .expect("time")
        };
        // Every day at 03:15.
        assert_eq!(
            fires_between("15 3 * * *", at(3, 14, 40), at(3, 15, 10)),
            Ok(true)
        );
        assert_eq!(
            fires_between("15 3 * * *", at(3, 15, 10), at(3, 15, 40)),
            Ok(false)
        );
        // Seconds form: every 30 s.
        assert_eq!(
            fires_between("*/30 * * * * *", at(1, 0, 1), at(1, 0, 31)),
            Ok(true)
        );
        assert!(fires_between("not cron", at(1, 0, 0), at(1, 1, 0)).is_err());
    }
}
