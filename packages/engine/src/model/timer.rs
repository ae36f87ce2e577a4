//! Timer definitions: `timeDate` (an ISO-8601 date-time), `timeDuration` (an ISO-8601 duration)
//! and `timeCycle` (`R[n]/[start/]duration`, or a Quartz-style cron whose first field is seconds).
//! A definition may be an expression (`${delay}`); it is evaluated when the timer is created, and
//! a literal one is checked at deployment. A date without a zone is read as UTC.

use std::str::FromStr;

use carpetti_expression::Expression;
use chrono::{DateTime, Months, TimeDelta, Utc};

/// A timer event definition as written in the model.
#[derive(Debug, Clone)]
pub enum TimerSpec {
    Date(Expression),
    Duration(Expression),
    Cycle(Expression),
}

impl TimerSpec {
    pub fn expression(&self) -> &Expression {
        match self {
            TimerSpec::Date(e) | TimerSpec::Duration(e) | TimerSpec::Cycle(e) => e,
        }
    }

    /// Parses the evaluated text of this definition.
    pub fn schedule(&self, text: &str) -> Result<TimerSchedule, String> {
        let text = text.trim();
        match self {
            TimerSpec::Date(_) => parse_date(text).map(TimerSchedule::At),
            TimerSpec::Duration(_) => parse_duration(text).map(TimerSchedule::After),
            TimerSpec::Cycle(_) => parse_cycle(text),
        }
    }
}

/// Parses a stored timer text of the given kind (`date`, `duration`, `cycle`).
pub fn parse_schedule(kind: &str, text: &str) -> Result<TimerSchedule, String> {
    let text = text.trim();
    match kind {
        "date" => parse_date(text).map(TimerSchedule::At),
        "duration" => parse_duration(text).map(TimerSchedule::After),
        "cycle" => parse_cycle(text),
        other => Err(format!("unknown timer kind '{other}'")),
    }
}

/// When a timer fires.
#[derive(Debug, Clone)]
pub enum TimerSchedule {
    At(DateTime<Utc>),
    After(iso8601::Duration),
    /// `R[n]/[start/]period`: `repeat` None = unbounded.
    Cycle {
        repeat: Option<u32>,
        start: Option<DateTime<Utc>>,
        period: iso8601::Duration,
    },
    Cron(Box<cron::Schedule>),
}

impl TimerSchedule {
    /// The first due time for a timer created at `now`.
    pub fn first(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            TimerSchedule::At(at) => Some(*at),
            TimerSchedule::After(d) => add_duration(now, d),
            TimerSchedule::Cycle {
                repeat,
                start,
                period,
            } => {
                if *repeat == Some(0) {
                    return None;
                }
                match start {
                    Some(start) => Some(*start),
                    None => add_duration(now, period),
                }
            }
            TimerSchedule::Cron(schedule) => schedule.after(&now).next(),
        }
    }

    /// The due time after a cycle fired for the `fired`-th time (1-based) at `due`; `None` when
    /// the cycle is exhausted or the timer is not a cycle.
    pub fn next(&self, due: DateTime<Utc>, fired: u32) -> Option<DateTime<Utc>> {
        match self {
            TimerSchedule::Cycle { repeat, period, .. } => {
                if repeat.is_some_and(|r| fired >= r) {
                    return None;
                }
                add_duration(due, period)
            }
            TimerSchedule::Cron(schedule) => schedule.after(&due).next(),
            _ => None,
        }
    }

    /// Whether the timer repeats.
    pub fn is_cycle(&self) -> bool {
        matches!(self, TimerSchedule::Cycle { .. } | TimerSchedule::Cron(_))
    }
}

fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    crate::variables::parse_date(text)
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("'{text}' is not an ISO-8601 date-time"))
}

fn parse_duration(text: &str) -> Result<iso8601::Duration, String> {
    let duration =
        iso8601::duration(text).map_err(|_| format!("'{text}' is not an ISO-8601 duration"))?;
    if add_duration(DateTime::<Utc>::UNIX_EPOCH, &duration).is_none() {
        return Err(format!("the duration '{text}' is out of range"));
    }
    Ok(duration)
}

fn parse_cycle(text: &str) -> Result<TimerSchedule, String> {
    let Some(rest) = text.strip_prefix('R') else {
        return cron::Schedule::from_str(text)
            .map(|s| TimerSchedule::Cron(Box::new(s)))
            .map_err(|e| {
                format!("'{text}' is neither an ISO-8601 repeating interval nor a cron: {e}")
            });
    };
    let mut parts = rest.split('/');
    let count = parts.next().unwrap_or_default();
    let repeat = if count.is_empty() {
        None
    } else {
        Some(
            count
                .parse::<u32>()
                .map_err(|_| format!("'{text}': the repetitions '{count}' are not a number"))?,
        )
    };
    let parts: Vec<&str> = parts.collect();
    let (start, period) = match parts.as_slice() {
        [period] => (None, parse_duration(period)?),
        [start, period] => (Some(parse_date(start)?), parse_duration(period)?),
        _ => {
            return Err(format!(
                "'{text}' is not a repeating interval R[n]/[start/]duration"
            ));
        }
    };
    if is_zero(&period) {
        return Err(format!("'{text}': a cycle's period must not be zero"));
    }
    Ok(TimerSchedule::Cycle {
        repeat,
        start,
        period,
    })
}

fn is_zero(d: &iso8601::Duration) -> bool {
    add_duration(DateTime::<Utc>::UNIX_EPOCH, d) == Some(DateTime::<Utc>::UNIX_EPOCH)
}

/// `at` + an ISO duration: years and months on the calendar, the rest as exact time.
pub(crate) fn add_duration(at: DateTime<Utc>, d: &iso8601::Duration) -> Option<DateTime<Utc>> {
    match *d {
        iso8601::Duration::Weeks(w) => at.checked_add_signed(TimeDelta::try_weeks(i64::from(w))?),
        iso8601::Duration::YMDHMS {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millisecond,
        } => {
            let months = year.checked_mul(12)?.checked_add(month)?;
            let at = at.checked_add_months(Months::new(months))?;
            let exact = TimeDelta::try_days(i64::from(day))?
                .checked_add(&TimeDelta::try_hours(i64::from(hour))?)?
                .checked_add(&TimeDelta::try_minutes(i64::from(minute))?)?
                .checked_add(&TimeDelta::try_seconds(i64::from(second))?)?
                .checked_add(&TimeDelta::try_milliseconds(i64::from(millisecond))?)?;
            at.checked_add_signed(exact)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_cycle() -> TimerSpec {
        TimerSpec::Cycle(Expression::parse("x").expect("literal"))
    }

    #[test]
    fn durations_dates_and_cycles() {
        let now = parse_date("2026-01-31T10:00:00Z").expect("date");
        let d = TimerSpec::Duration(Expression::parse("x").expect("literal"));
        let after = d.schedule("P1M").expect("P1M").first(now).expect("due");
        assert_eq!(after.to_rfc3339(), "2026-02-28T10:00:00+00:00");
        let half = d
            .schedule("PT1.5S")
            .expect("fraction")
            .first(now)
            .expect("due");
        assert_eq!((half - now).num_milliseconds(), 1500);
        let cycle = spec_cycle().schedule("R3/PT10H").expect("cycle");
        let first = cycle.first(now).expect("first");
        assert_eq!(first.to_rfc3339(), "2026-01-31T20:00:00+00:00");
        assert!(cycle.next(first, 2).is_some());
        assert!(cycle.next(first, 3).is_none());
        let unbounded = spec_cycle().schedule("R/PT1H").expect("unbounded");
        assert!(unbounded.next(now, 1000).is_some());
        let started = spec_cycle()
            .schedule("R2/2026-03-11T12:13:00Z/PT5M")
            .expect("with start");
        assert_eq!(
            started.first(now).expect("first").to_rfc3339(),
            "2026-03-11T12:13:00+00:00"
        );
        let cron = spec_cycle().schedule("0 0/5 * * * ?").expect("cron");
        assert!(cron.first(now).expect("cron due") > now);
        assert!(spec_cycle().schedule("R3/PT0S").is_err());
        assert!(spec_cycle().schedule("every day").is_err());
        let date = TimerSpec::Date(Expression::parse("x").expect("literal"));
        assert!(date.schedule("2026-13-01T00:00:00Z").is_err());
        assert_eq!(
            date.schedule("2026-05-01T08:30:00")
                .expect("naive")
                .first(now)
                .expect("at")
                .to_rfc3339(),
            "2026-05-01T08:30:00+00:00"
        );
    }
}
