//! Instants as a business's wall clock shows them, in its IANA time zone (UTC when it has none
//! or an unknown one): the web pages write times this way, and a `datetime-local` input (which
//! carries no zone) is read back in the same zone.

use jiff::tz::TimeZone;

use crate::Timestamp;

/// What a wall clock in some zone reads at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallClock {
    pub year: i16,
    pub month: i8,
    pub day: i8,
    pub hour: i8,
    pub minute: i8,
    /// The zone's abbreviation at that instant (`EST`, `CEST`, `UTC`), or its offset (`+0530`)
    /// where the zone has no abbreviation.
    pub zone: String,
}

/// Whether `name` is a time zone this build knows (its bundled database).
pub fn is_known_zone(name: &str) -> bool {
    TimeZone::get(name).is_ok()
}

/// The zone named `name`, or UTC.
fn zone(name: Option<&str>) -> TimeZone {
    name.and_then(|z| TimeZone::get(z).ok())
        .unwrap_or(TimeZone::UTC)
}

impl Timestamp {
    /// This instant on a wall clock in `zone_name`.
    pub fn wall_clock(self, zone_name: Option<&str>) -> WallClock {
        let tz = zone(zone_name);
        let at = jiff::Timestamp::from_millisecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let zoned = at.to_zoned(tz);
        WallClock {
            year: zoned.year(),
            month: zoned.month(),
            day: zoned.day(),
            hour: zoned.hour(),
            minute: zoned.minute(),
            zone: zoned.strftime("%Z").to_string(),
        }
    }

    /// The instant a wall clock in `zone_name` reads as `local` (`2026-12-03T14:30`, seconds
    /// optional). A time skipped by a daylight-saving change is read as after the change; one
    /// that happens twice, as its first occurrence. `None` if `local` is not such a time.
    pub fn from_wall_clock(local: &str, zone_name: Option<&str>) -> Option<Timestamp> {
        let civil: jiff::civil::DateTime = local.trim().parse().ok()?;
        let zoned = civil.to_zoned(zone(zone_name)).ok()?;
        Some(Timestamp(zoned.timestamp().as_millisecond()))
    }
}

/// A day on a wall clock, e.g. `2027-03-14`: what a calendar's week and agenda pages step by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDate(jiff::civil::Date);

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl LocalDate {
    /// `2027-03-14`; `None` for anything else.
    pub fn parse(text: &str) -> Option<LocalDate> {
        text.trim().parse().ok().map(LocalDate)
    }

    /// The day `t` falls on in `zone_name`.
    pub fn of(t: Timestamp, zone_name: Option<&str>) -> LocalDate {
        let at = jiff::Timestamp::from_millisecond(t.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        LocalDate(at.to_zoned(zone(zone_name)).date())
    }

    /// The first instant of the day in `zone_name` (its midnight, or the first time after a
    /// daylight-saving gap at midnight).
    pub fn start(self, zone_name: Option<&str>) -> Timestamp {
        let zoned = self.0.to_zoned(zone(zone_name));
        zoned.map_or(Timestamp(0), |z| Timestamp(z.timestamp().as_millisecond()))
    }

    /// The day `days` later (earlier when negative); the same day at the calendar's ends.
    pub fn plus_days(self, days: i32) -> LocalDate {
        let span = jiff::Span::new().days(days);
        LocalDate(self.0.checked_add(span).unwrap_or(self.0))
    }

    /// The Monday of the day's week.
    pub fn monday(self) -> LocalDate {
        let back = self.0.weekday().to_monday_zero_offset();
        self.plus_days(-i32::from(back))
    }

    /// `Mon` … `Sun`.
    pub fn weekday_name(self) -> &'static str {
        WEEKDAYS[usize::from(self.0.weekday().to_monday_zero_offset().unsigned_abs())]
    }

    pub fn day(self) -> i8 {
        self.0.day()
    }

    pub fn month(self) -> i8 {
        self.0.month()
    }

    pub fn year(self) -> i16 {
        self.0.year()
    }
}

impl std::fmt::Display for LocalDate {
    /// `2027-03-14`, as a date input and a query string carry it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("date")
    }

    #[test]
    fn a_zone_shows_its_own_hour_and_abbreviation() {
        let t = at("2026-01-15T15:05:00Z");
        let ny = t.wall_clock(Some("America/New_York"));
        assert_eq!((ny.day, ny.hour, ny.minute), (15, 10, 5));
        assert_eq!(ny.zone, "EST");
        let summer = at("2026-07-15T15:05:00Z").wall_clock(Some("America/New_York"));
        assert_eq!((summer.hour, summer.zone.as_str()), (11, "EDT"));
        let utc = t.wall_clock(None);
        assert_eq!((utc.hour, utc.zone.as_str()), (15, "UTC"));
        assert_eq!(t.wall_clock(Some("Not/AZone")), utc);
        assert!(is_known_zone("Europe/Paris") && !is_known_zone("Not/AZone"));
    }

    #[test]
    fn a_local_time_reads_back_in_its_zone() {
        let t = Timestamp::from_wall_clock("2026-01-15T10:05", Some("America/New_York"));
        assert_eq!(t, Some(at("2026-01-15T15:05:00Z")));
        let t = Timestamp::from_wall_clock("2026-01-15T10:05:30", None);
        assert_eq!(t, Some(at("2026-01-15T10:05:30Z")));
        assert_eq!(Timestamp::from_wall_clock("tomorrow", None), None);
        assert_eq!(Timestamp::from_wall_clock("2026-02-30T10:00", None), None);
    }

    #[test]
    fn local_days_step_across_a_daylight_saving_change() {
        let ny = Some("America/New_York");
        let sunday = LocalDate::parse("2027-03-14").unwrap();
        assert_eq!(sunday.weekday_name(), "Sun");
        assert_eq!(sunday.monday().to_string(), "2027-03-08");
        let (start, next) = (sunday.start(ny), sunday.plus_days(1).start(ny));
        assert_eq!(
            next.0 - start.0,
            23 * 3_600_000,
            "the spring day is 23 hours long"
        );
        assert_eq!(LocalDate::of(Timestamp(next.0 - 1), ny), sunday);
        assert_eq!(LocalDate::of(next, ny).to_string(), "2027-03-15");
        assert_eq!(LocalDate::parse("2027-02-30"), None);
        assert_eq!(LocalDate::parse("soon"), None);
    }
}
