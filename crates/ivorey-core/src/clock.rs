//! Time: a millisecond timestamp type and an injectable clock, so tests can jump past a grace
//! period instead of waiting seven days.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch, UTC. Stored as an integer in both databases.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// The UTC day number since the epoch, for daily usage counters.
    pub fn day(self) -> i64 {
        self.0.div_euclid(86_400_000)
    }

    /// The first instant of the day after this one's, in the IANA time zone `zone` (UTC when
    /// it is absent or unknown): "due today" means due before it.
    pub fn end_of_day_in(self, zone: Option<&str>) -> Timestamp {
        let tz = zone
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let next = jiff::Timestamp::from_millisecond(self.0)
            .ok()
            .map(|t| t.to_zoned(tz))
            .and_then(|z| z.tomorrow().ok())
            .and_then(|z| z.start_of_day().ok());
        match next {
            Some(z) => Timestamp(z.timestamp().as_millisecond()),
            None => Timestamp((self.day() + 1) * 86_400_000),
        }
    }

    /// RFC 3339 with milliseconds and `Z`, as the HighLevel API writes dates.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(dt) => {
                let dt = dt.replace_nanosecond((dt.nanosecond() / 1_000_000) * 1_000_000);
                let dt = dt.unwrap_or(OffsetDateTime::UNIX_EPOCH);
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    dt.year(),
                    u8::from(dt.month()),
                    dt.day(),
                    dt.hour(),
                    dt.minute(),
                    dt.second(),
                    dt.millisecond()
                )
            }
            Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
        }
    }

    /// Parses an RFC 3339 date-time (with offset) or a `YYYY-MM-DD` date (as midnight UTC).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
            return i64::try_from(dt.unix_timestamp_nanos() / 1_000_000)
                .ok()
                .map(Timestamp);
        }
        let date = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"));
        date.ok()
            .map(|d| Timestamp(d.midnight().assume_utc().unix_timestamp() * 1000))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// Where "now" comes from.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that tests move by hand. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn starting_at(t: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(t.0)))
    }

    pub fn advance(&self, d: Duration) {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_day_ends_at_the_zones_midnight() {
        // 2026-03-10 15:00 UTC is 11:00 in New York (EDT, UTC-4): its day ends at 04:00 UTC.
        let t = super::Timestamp::parse_rfc3339("2026-03-10T15:00:00Z").expect("date");
        let end = t.end_of_day_in(Some("America/New_York"));
        assert_eq!(end.to_rfc3339(), "2026-03-11T04:00:00.000Z");
        assert_eq!(
            t.end_of_day_in(None).to_rfc3339(),
            "2026-03-11T00:00:00.000Z"
        );
        assert_eq!(t.end_of_day_in(Some("Not/AZone")), t.end_of_day_in(None));
    }

    use super::*;

    #[test]
    fn formats_like_highlevel() {
        assert_eq!(
            Timestamp(1_625_203_106_704).to_rfc3339(),
            "2021-07-02T05:18:26.704Z"
        );
    }

    #[test]
    fn parses_datetimes_and_dates() {
        assert_eq!(
            Timestamp::parse_rfc3339("2021-07-02T05:18:26.704Z"),
            Some(Timestamp(1_625_203_106_704))
        );
        assert_eq!(
            Timestamp::parse_rfc3339("1970-01-02"),
            Some(Timestamp(86_400_000))
        );
        assert_eq!(Timestamp::parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::starting_at(Timestamp(1000));
        assert_eq!(clock.now(), Timestamp(1000));
        clock.clone().advance(Duration::from_secs(2));
        assert_eq!(clock.now(), Timestamp(3000));
    }
}
