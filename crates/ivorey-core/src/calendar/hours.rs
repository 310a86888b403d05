//! Weekly open hours in HighLevel's `openHours` shape: days of the week (0 = Sunday) with
//! local wall-clock ranges, validated so every range opens before it closes.

use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

/// The most ranges one calendar may have, over all its `openHours` entries.
pub const RANGES_MAX: usize = 100;
/// Minutes in a day: a range may close at 24:00 (`closeHour: 24, closeMinute: 0`).
pub const DAY_MINUTES: u16 = 24 * 60;

/// One `openHours` entry: the same ranges on each of the listed days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenHour {
    pub days_of_the_week: Vec<u8>,
    pub hours: Vec<HourRange>,
}

/// Local wall-clock time from open to close on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HourRange {
    pub open_hour: u8,
    pub open_minute: u8,
    pub close_hour: u8,
    pub close_minute: u8,
}

impl HourRange {
    /// Minutes after local midnight when the range opens.
    pub fn open(&self) -> u16 {
        u16::from(self.open_hour) * 60 + u16::from(self.open_minute)
    }

    /// Minutes after local midnight when the range closes (up to 1440).
    pub fn close(&self) -> u16 {
        u16::from(self.close_hour) * 60 + u16::from(self.close_minute)
    }

    fn is_valid(&self) -> bool {
        let open_ok = self.open_hour < 24 && self.open_minute < 60;
        let close_ok = (self.close_hour < 24 && self.close_minute < 60)
            || (self.close_hour == 24 && self.close_minute == 0);
        open_ok && close_ok && self.open() < self.close()
    }
}

/// Checks every entry; days are sorted and deduplicated so equal hours compare equal.
pub fn validate(errors: &mut ValidationErrors, mut entries: Vec<OpenHour>) -> Vec<OpenHour> {
    let mut ranges = 0;
    for entry in &mut entries {
        if entry.days_of_the_week.is_empty() || entry.days_of_the_week.iter().any(|d| *d > 6) {
            errors.add(
                "openHours",
                "daysOfTheWeek must list days from 0 (Sunday) to 6 (Saturday)",
            );
        }
        entry.days_of_the_week.sort_unstable();
        entry.days_of_the_week.dedup();
        if entry.hours.is_empty() {
            errors.add("openHours", "hours must not be empty");
        }
        if entry.hours.iter().any(|h| !h.is_valid()) {
            errors.add(
                "openHours",
                "each range needs openHour 0-23, minutes 0-59 and a close time after the open \
                 time, at most closeHour 24 with closeMinute 0",
            );
        }
        ranges += entry.hours.len() * entry.days_of_the_week.len().max(1);
    }
    if ranges > RANGES_MAX {
        errors.add(
            "openHours",
            format!("must have at most {RANGES_MAX} day ranges"),
        );
    }
    entries
}

/// One day's ranges as a person writes them: `9:00-17:00`, or `9:00-12:00, 13:00-17:00`;
/// empty for a closed day. `None` when the text is not that (the range checks of `validate`
/// still apply).
pub fn parse_day(text: &str) -> Option<Vec<HourRange>> {
    fn time(text: &str) -> Option<(u8, u8)> {
        let (h, m) = text.trim().split_once(':').unwrap_or((text.trim(), "0"));
        Some((h.trim().parse().ok()?, m.trim().parse().ok()?))
    }
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|range| {
            let (open, close) = range.split_once(['-', '–'])?;
            let (open_hour, open_minute) = time(open)?;
            let (close_hour, close_minute) = time(close)?;
            Some(HourRange {
                open_hour,
                open_minute,
                close_hour,
                close_minute,
            })
        })
        .collect()
}

/// `weekday`'s ranges written as `parse_day` reads them (`09:00-17:00, 18:00-20:00`).
pub fn format_day(entries: &[OpenHour], weekday: u8) -> String {
    let minute = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    ranges_on(entries, weekday)
        .map(|(open, close)| format!("{}-{}", minute(open), minute(close)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The (open, close) minute ranges on `weekday` (0 = Sunday).
pub fn ranges_on(entries: &[OpenHour], weekday: u8) -> impl Iterator<Item = (u16, u16)> + '_ {
    entries
        .iter()
        .filter(move |e| e.days_of_the_week.contains(&weekday))
        .flat_map(|e| e.hours.iter().map(|h| (h.open(), h.close())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<OpenHour>, ValidationErrors> {
        let entries: Vec<OpenHour> = serde_json::from_str(json).unwrap();
        let mut e = ValidationErrors::new();
        let entries = validate(&mut e, entries);
        e.finish(entries)
    }

    #[test]
    fn valid_hours_pass_with_days_sorted() {
        let hours = parse(
            r#"[{"daysOfTheWeek":[5,1,1],"hours":[{"openHour":9,"openMinute":0,
                "closeHour":24,"closeMinute":0}]}]"#,
        )
        .unwrap();
        assert_eq!(hours[0].days_of_the_week, [1, 5]);
        assert_eq!(ranges_on(&hours, 5).collect::<Vec<_>>(), [(540, 1440)]);
        assert_eq!(ranges_on(&hours, 0).count(), 0);
    }

    #[test]
    fn bad_days_and_ranges_are_refused() {
        for bad in [
            r#"[{"daysOfTheWeek":[7],"hours":[{"openHour":9,"openMinute":0,"closeHour":10,"closeMinute":0}]}]"#,
            r#"[{"daysOfTheWeek":[],"hours":[{"openHour":9,"openMinute":0,"closeHour":10,"closeMinute":0}]}]"#,
            r#"[{"daysOfTheWeek":[1],"hours":[]}]"#,
            r#"[{"daysOfTheWeek":[1],"hours":[{"openHour":10,"openMinute":0,"closeHour":9,"closeMinute":0}]}]"#,
            r#"[{"daysOfTheWeek":[1],"hours":[{"openHour":9,"openMinute":60,"closeHour":10,"closeMinute":0}]}]"#,
            r#"[{"daysOfTheWeek":[1],"hours":[{"openHour":9,"openMinute":0,"closeHour":24,"closeMinute":30}]}]"#,
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.0[0].field, "openHours", "{bad}");
        }
    }

    #[test]
    fn a_day_is_read_and_written_as_people_type_it() {
        let ranges = parse_day(" 9:00-12:00, 13:30 - 17:00 ").unwrap();
        assert_eq!(ranges.len(), 2);
        assert_eq!(
            (ranges[1].open(), ranges[1].close()),
            (13 * 60 + 30, 17 * 60)
        );
        assert_eq!(parse_day(""), Some(vec![]));
        assert_eq!(parse_day("9-5pm"), None);
        assert_eq!(parse_day("9:00"), None);
        let week = vec![OpenHour {
            days_of_the_week: vec![1],
            hours: ranges,
        }];
        assert_eq!(format_day(&week, 1), "09:00-12:00, 13:30-17:00");
        assert_eq!(format_day(&week, 2), "");
    }
}
