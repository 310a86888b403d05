//! Dates, relative times and durations in plain words ("in 6 days", "12 Mar 2025, 14:05 UTC").

use std::time::Duration;

use ivorey_core::Timestamp;
use maud::{Markup, html};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (day of month, month name, year, "HH:MM") in UTC.
fn parts(t: Timestamp) -> (String, &'static str, String, String) {
    let s = t.to_rfc3339();
    let month = s
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    let day = s.get(8..10).unwrap_or("?").trim_start_matches('0');
    (
        day.to_owned(),
        month,
        s.get(0..4).unwrap_or("?").to_owned(),
        s.get(11..16).unwrap_or("?").to_owned(),
    )
}

/// `12 Mar 2025, 14:05 UTC`
pub(crate) fn date_time(t: Timestamp) -> String {
    let (day, month, year, hm) = parts(t);
    format!("{day} {month} {year}, {hm} UTC")
}

/// `12 Mar 2025`
pub(crate) fn day_month_year(t: Timestamp) -> String {
    let (day, month, year, _) = parts(t);
    format!("{day} {month} {year}")
}

/// `14:05 UTC`
pub(crate) fn time_of_day(t: Timestamp) -> String {
    let (_, _, _, hm) = parts(t);
    format!("{hm} UTC")
}

/// `12 Mar`, for the usage chart's axis.
pub(crate) fn day_month(t: Timestamp) -> String {
    let (day, month, _, _) = parts(t);
    format!("{day} {month}")
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `in 6 days`, `3 hours ago`, `just now` (whole units, rounded down).
pub(crate) fn relative(t: Timestamp, now: Timestamp) -> String {
    let diff = t.millis() - now.millis();
    let abs = diff.abs();
    let amount = match abs {
        a if a < 60_000 => return "just now".to_owned(),
        a if a < 3_600_000 => plural(a / 60_000, "minute"),
        a if a < 86_400_000 => plural(a / 3_600_000, "hour"),
        a => plural(a / 86_400_000, "day"),
    };
    if diff > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// `7 days`, `36 hours`, `90 seconds`: the largest unit that divides the duration exactly.
pub(crate) fn duration(d: Duration) -> String {
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 3_600 && s % 3_600 == 0 => plural(s / 3_600, "hour"),
        s if s >= 60 && s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// A `<time>` showing the relative time, with the exact time as its tooltip.
pub(crate) fn when(t: Timestamp, now: Timestamp) -> Markup {
    html! {
        time datetime=(t.to_rfc3339()) title=(date_time(t)) { (relative(t, now)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn dates_read_like_a_person_writes_them() {
        let t = Timestamp::parse_rfc3339("2025-03-02T14:05:09Z").unwrap();
        assert_eq!(date_time(t), "2 Mar 2025, 14:05 UTC");
        assert_eq!(day_month(t), "2 Mar");
    }

    #[test]
    fn relative_times_round_down_to_whole_units() {
        let now = Timestamp(100 * DAY);
        assert_eq!(relative(Timestamp(now.0 + 7 * DAY), now), "in 7 days");
        assert_eq!(relative(Timestamp(now.0 + 6 * DAY + 5), now), "in 6 days");
        assert_eq!(relative(Timestamp(now.0 - 3_600_000), now), "1 hour ago");
        assert_eq!(relative(Timestamp(now.0 - 150_000), now), "2 minutes ago");
        assert_eq!(relative(now, now), "just now");
    }

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(duration(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(duration(Duration::from_secs(36 * 3_600)), "36 hours");
        assert_eq!(duration(Duration::from_secs(90)), "90 seconds");
        assert_eq!(duration(Duration::from_secs(86_400)), "1 day");
    }
}
