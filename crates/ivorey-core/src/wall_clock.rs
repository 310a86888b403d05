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
}
