//! The periods of a timeline: how far back (`--since`), how long each (`--every`), and the
//! instants where they end — counted back from the scanned commit's time (not the clock, so
//! a timeline can be reproduced).

use serde::Serialize;

use crate::scan::ScanError;

const DAY: i64 = 86_400;
/// A month as the average Gregorian month, so that twelve make a year.
const MONTH: i64 = 2_629_746;

/// The most snapshots one timeline takes: ten years of weeks.
pub const MAX_SNAPSHOTS: usize = 520;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    Week,
    Month,
    Quarter,
}

impl Every {
    pub fn seconds(self) -> i64 {
        match self {
            Every::Week => 7 * DAY,
            Every::Month => MONTH,
            Every::Quarter => 3 * MONTH,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::Month => "month",
            Every::Quarter => "quarter",
        }
    }
}

/// Where a timeline starts: a span back from the scanned commit, a date, or the first commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Days(u32),
    Date(i64),
    All,
}

impl std::str::FromStr for Since {
    type Err = String;

    /// `2y`, `18m`, `90d`, `2024-01-31` or `all`.
    fn from_str(text: &str) -> Result<Since, String> {
        let invalid = || {
            format!(
                "`{text}` is not a start: use a span (`2y`, `18m`, `90d`), a date (`2024-01-31`) or `all`"
            )
        };
        if text == "all" {
            return Ok(Since::All);
        }
        if let Some(date) = parse_date(text) {
            return Ok(Since::Date(date));
        }
        let split = text.len().checked_sub(1).ok_or_else(invalid)?;
        let (number, unit) = text.split_at(split);
        let number: u32 = number.parse().map_err(|_| invalid())?;
        let days = match unit {
            "d" => number,
            "w" => number.checked_mul(7).ok_or_else(invalid)?,
            "m" => number.checked_mul(30).ok_or_else(invalid)?,
            "y" => number.checked_mul(365).ok_or_else(invalid)?,
            _ => return Err(invalid()),
        };
        if days == 0 {
            return Err(invalid());
        }
        Ok(Since::Days(days))
    }
}

/// `YYYY-MM-DD` as the instant it starts (UTC).
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if text.len() != 10 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * DAY;
    // 2024-02-30 is no date: it must read back as written.
    (date(seconds) == text).then_some(seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The UTC date of an instant, `YYYY-MM-DD`.
pub fn date(seconds: i64) -> String {
    gix::date::Time::new(seconds, 0)
        .format(gix::date::time::format::SHORT)
        .unwrap_or_else(|_| format!("{seconds}s"))
}

/// The instants at which the periods end, oldest first: the scanned commit's time, and
/// every `every` before it back to `since`.
pub fn ends(
    since: Since,
    every: Every,
    tip_time: i64,
    first_commit_time: impl FnOnce() -> Result<i64, ScanError>,
) -> Result<Vec<i64>, ScanError> {
    let mut start = start(since, tip_time);
    let step = every.seconds();
    let count = |start: i64| (tip_time.saturating_sub(start) / step).max(0) as usize + 1;
    // Periods before the first commit would hold no snapshot: the span starts there at the
    // earliest.
    if count(start) > MAX_SNAPSHOTS || since == Since::All {
        start = start.max(first_commit_time()?);
    }
    let count = count(start);
    if count > MAX_SNAPSHOTS {
        return Err(ScanError::TooManySnapshots {
            count,
            max: MAX_SNAPSHOTS,
        });
    }
    let mut ends: Vec<i64> = (0..count)
        .map(|back| tip_time.saturating_sub(back as i64 * step))
        .collect();
    ends.reverse();
    Ok(ends)
}

/// The instant `since` names, counted back from `tip_time` (`i64::MIN` for all history).
pub fn start(since: Since, tip_time: i64) -> i64 {
    match since {
        Since::Days(days) => tip_time.saturating_sub(i64::from(days) * DAY),
        Since::Date(date) => date,
        Since::All => i64::MIN,
    }
}

/// Where the period ending at `end` begins.
pub fn start_of(end: i64, every: Every) -> i64 {
    end.saturating_sub(every.seconds()) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_dates_and_all_parse() {
        assert_eq!("2y".parse(), Ok(Since::Days(730)));
        assert_eq!("18m".parse(), Ok(Since::Days(540)));
        assert_eq!("all".parse(), Ok(Since::All));
        assert_eq!("2026-01-01".parse(), Ok(Since::Date(1_767_225_600)));
        assert!("2026-13-01".parse::<Since>().is_err());
        assert!("2024-02-30".parse::<Since>().is_err());
        assert_eq!("2024-02-29".parse(), Ok(Since::Date(1_709_164_800)));
        assert!("0d".parse::<Since>().is_err());
        assert!("yesterday".parse::<Since>().is_err());
        assert_eq!(date(1_767_225_600), "2026-01-01");
    }

    #[test]
    fn periods_end_at_the_scanned_commit_and_step_back() {
        let tip = 1_767_225_600;
        let ends = ends(Since::Days(365), Every::Quarter, tip, || Ok(0)).unwrap();
        assert_eq!(ends.len(), 4);
        assert_eq!(*ends.last().unwrap(), tip);
        assert_eq!(ends[2], tip - 3 * MONTH);
        let weeks = super::ends(Since::Days(20 * 365), Every::Week, tip, || Ok(0));
        assert!(weeks.is_err(), "too many snapshots is an error");
        // A span reaching before the first commit starts at it.
        let young = super::ends(Since::Days(20 * 365), Every::Week, tip, || {
            Ok(tip - 10 * 7 * DAY)
        });
        assert_eq!(young.unwrap().len(), 11);
    }
}
