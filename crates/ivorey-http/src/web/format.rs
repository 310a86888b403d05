//! Dates, relative times and durations in plain words ("in 6 days", "12 Mar 2025, 14:05 EST"),
//! written on the business's own wall clock.

use std::time::Duration;

use ivorey_core::Timestamp;
use maud::{Markup, html};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(month: i8) -> &'static str {
    usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("?")
}

/// The business's time zone (its IANA name from Settings > Business), in which every page
/// writes times; UTC when it has none or an unknown one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Zone(Option<String>);

impl Zone {
    pub(crate) fn new(name: Option<&str>) -> Zone {
        Zone(
            name.filter(|z| ivorey_core::wall_clock::is_known_zone(z))
                .map(str::to_owned),
        )
    }

    fn name(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// `12 Mar 2025, 14:05 EST`
    pub(crate) fn date_time(&self, t: Timestamp) -> String {
        let w = t.wall_clock(self.name());
        format!(
            "{} {} {}, {:02}:{:02} {}",
            w.day,
            month_name(w.month),
            w.year,
            w.hour,
            w.minute,
            w.zone
        )
    }

    /// `12 Mar 2025`
    pub(crate) fn day_month_year(&self, t: Timestamp) -> String {
        let w = t.wall_clock(self.name());
        format!("{} {} {}", w.day, month_name(w.month), w.year)
    }

    /// `14:05 EST`
    pub(crate) fn time_of_day(&self, t: Timestamp) -> String {
        let w = t.wall_clock(self.name());
        format!("{:02}:{:02} {}", w.hour, w.minute, w.zone)
    }

    /// A `<time>` showing the relative time, with the exact time as its tooltip.
    pub(crate) fn when(&self, t: Timestamp, now: Timestamp) -> Markup {
        html! {
            time datetime=(t.to_rfc3339()) title=(self.date_time(t)) { (relative(t, now)) }
        }
    }

    /// What a `datetime-local` input sent, read on this zone's wall clock.
    pub(crate) fn read_input(&self, local: &str) -> Option<Timestamp> {
        Timestamp::from_wall_clock(local, self.name())
    }

    /// How a form names the zone its times are in: `America/New_York` or `UTC`.
    pub(crate) fn label(&self) -> &str {
        self.name().unwrap_or("UTC")
    }
}

/// `12 Mar`, for the usage chart's axis: its buckets are UTC days.
pub(crate) fn day_month(t: Timestamp) -> String {
    let w = t.wall_clock(None);
    format!("{} {}", w.day, month_name(w.month))
}

/// `1,000,000`: a count with its thousands grouped, as people read large numbers.
pub(crate) fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `1 order`, `1,250 orders`: a count and its noun, grouped and in the right number.
pub(crate) fn count_of(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", number(n))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn dates_read_like_a_person_writes_them_in_the_business_zone() {
        let t = Timestamp::parse_rfc3339("2025-03-02T14:05:09Z").unwrap();
        assert_eq!(Zone::default().date_time(t), "2 Mar 2025, 14:05 UTC");
        assert_eq!(day_month(t), "2 Mar");
        let ny = Zone::new(Some("America/New_York"));
        assert_eq!(ny.date_time(t), "2 Mar 2025, 09:05 EST");
        assert_eq!(ny.time_of_day(t), "09:05 EST");
        assert_eq!(ny.label(), "America/New_York");
        assert_eq!(Zone::new(Some("Mars/Olympus")).label(), "UTC");
    }

    #[test]
    fn a_typed_time_is_read_on_the_business_wall_clock() {
        let ny = Zone::new(Some("America/New_York"));
        let t = Timestamp::parse_rfc3339("2025-07-02T14:05:00Z").unwrap();
        assert_eq!(ny.read_input("2025-07-02T10:05"), Some(t));
        assert_eq!(ny.read_input("not a time"), None);
    }

    #[test]
    fn large_counts_group_their_thousands() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_000), "1,000");
        assert_eq!(number(10_000), "10,000");
        assert_eq!(number(1_234_567), "1,234,567");
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
