//! Calendars: weekly open hours in an IANA time zone, a slot length and step, and the validated
//! create and update inputs in HighLevel's field names. Slot maths is in `slots`, bookings in
//! `appointment`.

pub mod appointment;
pub mod hours;
pub mod slots;

use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use self::hours::OpenHour;
use self::slots::Schedule;
use crate::error::{ValidationErrors, bounded_text};
use crate::ids::CalendarId;
use crate::serde_util::double_option;
use crate::{LocationId, Timestamp};

const NAME_MAX: usize = 255;
const DESCRIPTION_MAX: usize = 5000;
/// Slot lengths and steps, in minutes: at least 5, at most a day.
pub const SLOT_MIN: u32 = 5;
pub const SLOT_MAX: u32 = 24 * 60;
const DEFAULT_SLOT: u32 = 30;

/// A stored calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub id: CalendarId,
    pub location_id: LocationId,
    pub name: String,
    pub description: Option<String>,
    /// A canonical IANA name, e.g. `America/New_York`.
    pub time_zone: String,
    pub slot_duration_minutes: u32,
    pub slot_interval_minutes: u32,
    pub open_hours: Vec<OpenHour>,
    pub is_active: bool,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
    /// Kept free before each appointment (HighLevel's `preBuffer`).
    pub pre_buffer_minutes: u32,
    /// Kept free after each appointment (`slotBuffer`).
    pub slot_buffer_minutes: u32,
    /// How long before its start an appointment can be booked at the latest
    /// (`allowBookingAfter`).
    pub min_notice_minutes: u32,
}

/// The IANA zone named `name` (case-insensitive), if the bundled database knows it.
pub fn zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    TimeZone::get(name).ok().filter(|z| z.iana_name().is_some())
}

impl Calendar {
    /// How far apart two appointments must be: the buffer after the first and before the
    /// second, in milliseconds.
    pub fn gap_ms(&self) -> i64 {
        i64::from(self.pre_buffer_minutes + self.slot_buffer_minutes) * 60_000
    }

    /// The earliest start a booking made at `now` may have.
    pub fn earliest_start(&self, now: Timestamp) -> Timestamp {
        Timestamp(now.0 + i64::from(self.min_notice_minutes) * 60_000)
    }

    /// The calendar's zone; a stored name is always valid, UTC guards a hand-edited row.
    pub fn zone(&self) -> TimeZone {
        zone(&self.time_zone).unwrap_or(TimeZone::UTC)
    }

    /// Runs `f` with this calendar's schedule.
    pub fn with_schedule<T>(&self, f: impl FnOnce(&Schedule<'_>) -> T) -> T {
        let zone = self.zone();
        f(&Schedule {
            zone: &zone,
            open_hours: &self.open_hours,
            duration_minutes: self.slot_duration_minutes,
            interval_minutes: self.slot_interval_minutes,
        })
    }

    /// The calendar in HighLevel's `CalendarDTO` shape, plus its `timezone`.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "id": self.id.as_str(),
            "locationId": self.location_id.as_str(),
            "name": self.name,
            "isActive": self.is_active,
            "calendarType": "event",
            "timezone": self.time_zone,
            "slotDuration": self.slot_duration_minutes,
            "slotDurationUnit": "mins",
            "slotInterval": self.slot_interval_minutes,
            "slotIntervalUnit": "mins",
            "openHours": self.open_hours,
            "preBuffer": self.pre_buffer_minutes,
            "preBufferUnit": "mins",
            "slotBuffer": self.slot_buffer_minutes,
            "slotBufferUnit": "mins",
            "allowBookingAfter": self.min_notice_minutes / 60,
            "allowBookingAfterUnit": "hours",
            "dateAdded": self.date_added.to_rfc3339(),
            "dateUpdated": self.date_updated.to_rfc3339(),
        });
        if let (Some(text), Some(map)) = (&self.description, value.as_object_mut()) {
            map.insert("description".into(), text.as_str().into());
        }
        value
    }
}

/// A calendar body as clients send it: `locationId` and `name` are required on create; on
/// update every field is optional and an absent one keeps its value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CalendarInput {
    pub location_id: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    pub timezone: Option<String>,
    pub slot_duration: Option<u32>,
    pub slot_duration_unit: Option<String>,
    pub slot_interval: Option<u32>,
    pub slot_interval_unit: Option<String>,
    pub open_hours: Option<Vec<OpenHour>>,
    pub is_active: Option<bool>,
    pub pre_buffer: Option<u32>,
    pub pre_buffer_unit: Option<String>,
    pub slot_buffer: Option<u32>,
    pub slot_buffer_unit: Option<String>,
    pub allow_booking_after: Option<u32>,
    pub allow_booking_after_unit: Option<String>,
}

/// The longest buffer: a day.
const BUFFER_MAX: u32 = 24 * 60;
/// The longest minimum notice: a year.
const NOTICE_MAX: u32 = 366 * 24 * 60;

/// A buffer of `amount` `mins` (default) or `hours`, within a day.
fn buffer(
    e: &mut ValidationErrors,
    field: &'static str,
    amount: Option<u32>,
    unit: Option<&str>,
) -> Option<u32> {
    let factor = match unit {
        None | Some("mins") => 1,
        Some("hours") => 60,
        Some(_) => {
            e.add(field, "unit must be mins or hours");
            return None;
        }
    };
    let total = amount?.saturating_mul(factor);
    if total > BUFFER_MAX {
        e.add(field, format!("must be at most {BUFFER_MAX} minutes"));
        return None;
    }
    Some(total)
}

/// A minimum notice of `amount` `hours` (default), `days`, `weeks` or `months` (30 days), as
/// minutes, within a year.
fn notice(e: &mut ValidationErrors, amount: Option<u32>, unit: Option<&str>) -> Option<u32> {
    let factor = match unit {
        None | Some("hours") => 60,
        Some("days") => 24 * 60,
        Some("weeks") => 7 * 24 * 60,
        Some("months") => 30 * 24 * 60,
        Some(_) => {
            e.add(
                "allowBookingAfter",
                "unit must be hours, days, weeks or months",
            );
            return None;
        }
    };
    let total = amount?.saturating_mul(factor);
    if total > NOTICE_MAX {
        e.add("allowBookingAfter", "must be at most a year");
        return None;
    }
    Some(total)
}

/// `amount` in `unit` (`mins` by default, or `hours`) as minutes within the slot bounds.
fn minutes(
    e: &mut ValidationErrors,
    field: &'static str,
    amount: Option<u32>,
    unit: Option<&str>,
) -> Option<u32> {
    let factor = match unit {
        None | Some("mins") => 1,
        Some("hours") => 60,
        Some(_) => {
            e.add(field, "unit must be mins or hours");
            return None;
        }
    };
    let Some(amount) = amount else {
        if unit.is_some() {
            e.add(field, "is required with its unit");
        }
        return None;
    };
    let total = amount.saturating_mul(factor);
    if !(SLOT_MIN..=SLOT_MAX).contains(&total) {
        e.add(
            field,
            format!("must be from {SLOT_MIN} minutes to {SLOT_MAX} minutes"),
        );
        return None;
    }
    Some(total)
}

impl CalendarInput {
    /// Applies the fields given to `c`, collecting every problem.
    fn apply(self, mut c: Calendar, e: &mut ValidationErrors) -> Calendar {
        if let Some(name) = &self.name
            && let Some(name) = bounded_text(e, "name", name, NAME_MAX, true)
        {
            c.name = name;
        }
        if let Some(description) = self.description {
            c.description = description
                .and_then(|text| bounded_text(e, "description", &text, DESCRIPTION_MAX, false));
        }
        if let Some(name) = &self.timezone {
            match zone(name).and_then(|z| z.iana_name().map(str::to_owned)) {
                Some(canonical) => c.time_zone = canonical,
                None => e.add(
                    "timezone",
                    "must be an IANA time zone such as America/New_York",
                ),
            }
        }
        let unit = self.slot_duration_unit.as_deref();
        if let Some(m) = minutes(e, "slotDuration", self.slot_duration, unit) {
            c.slot_duration_minutes = m;
        }
        let unit = self.slot_interval_unit.as_deref();
        if let Some(m) = minutes(e, "slotInterval", self.slot_interval, unit) {
            c.slot_interval_minutes = m;
        }
        if let Some(entries) = self.open_hours {
            c.open_hours = hours::validate(e, entries);
        }
        if let Some(active) = self.is_active {
            c.is_active = active;
        }
        let unit = self.pre_buffer_unit.as_deref();
        if let Some(m) = buffer(e, "preBuffer", self.pre_buffer, unit) {
            c.pre_buffer_minutes = m;
        }
        let unit = self.slot_buffer_unit.as_deref();
        if let Some(m) = buffer(e, "slotBuffer", self.slot_buffer, unit) {
            c.slot_buffer_minutes = m;
        }
        let unit = self.allow_booking_after_unit.as_deref();
        if let Some(m) = notice(e, self.allow_booking_after, unit) {
            c.min_notice_minutes = m;
        }
        c
    }

    /// A new calendar of `location`; the zone defaults to `default_zone` (the location's) or
    /// UTC, the slot interval to the slot duration.
    pub fn create(
        self,
        location: &LocationId,
        default_zone: Option<&str>,
        now: Timestamp,
    ) -> Result<Calendar, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.name.is_none() {
            e.add("name", "is required");
        }
        let interval_given = self.slot_interval.is_some();
        let time_zone = default_zone
            .and_then(zone)
            .and_then(|z| z.iana_name().map(str::to_owned))
            .unwrap_or_else(|| "UTC".to_owned());
        let blank = Calendar {
            id: CalendarId::generate(),
            location_id: location.clone(),
            name: String::new(),
            description: None,
            time_zone,
            slot_duration_minutes: DEFAULT_SLOT,
            slot_interval_minutes: DEFAULT_SLOT,
            open_hours: Vec::new(),
            is_active: true,
            date_added: now,
            date_updated: now,
            pre_buffer_minutes: 0,
            slot_buffer_minutes: 0,
            min_notice_minutes: 0,
        };
        let mut calendar = self.apply(blank, &mut e);
        if !interval_given {
            calendar.slot_interval_minutes = calendar.slot_duration_minutes;
        }
        e.finish(calendar)
    }

    /// `current` with the fields given applied.
    pub fn update(self, current: Calendar, now: Timestamp) -> Result<Calendar, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut calendar = self.apply(current, &mut e);
        calendar.date_updated = now;
        e.finish(calendar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> CalendarInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn create_defaults_and_canonicalises_the_zone() {
        let loc = LocationId::generate();
        let c = input(r#"{"name":"Demo","timezone":"america/new_york","slotDuration":1,"slotDurationUnit":"hours"}"#)
            .create(&loc, Some("Europe/Berlin"), Timestamp(1))
            .unwrap();
        assert_eq!(c.time_zone, "America/New_York");
        assert_eq!((c.slot_duration_minutes, c.slot_interval_minutes), (60, 60));
        let c = input(r#"{"name":"Demo"}"#)
            .create(&loc, Some("Europe/Berlin"), Timestamp(1))
            .unwrap();
        assert_eq!(c.time_zone, "Europe/Berlin");
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = input(
            r#"{"name":" ","timezone":"Mars/Olympus","slotDuration":2,"slotIntervalUnit":"days"}"#,
        )
        .create(&LocationId::generate(), None, Timestamp(1))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "timezone", "slotDuration", "slotInterval"]);
        assert!(serde_json::from_str::<CalendarInput>(r#"{"colour":"red"}"#).is_err());
    }

    #[test]
    fn buffers_and_notice_are_read_in_their_units_and_bounded() {
        let c = input(r#"{"name":"B","preBuffer":10,"slotBuffer":1,"slotBufferUnit":"hours","allowBookingAfter":2,"allowBookingAfterUnit":"days"}"#)
            .create(&LocationId::generate(), None, Timestamp(0))
            .unwrap();
        assert_eq!(
            (
                c.pre_buffer_minutes,
                c.slot_buffer_minutes,
                c.min_notice_minutes
            ),
            (10, 60, 2880)
        );
        assert_eq!(c.gap_ms(), 70 * 60_000);
        assert_eq!(
            c.earliest_start(Timestamp(1_000)),
            Timestamp(1_000 + 2880 * 60_000)
        );
        let err = input(r#"{"name":"B","slotBuffer":2,"slotBufferUnit":"days","allowBookingAfter":13,"allowBookingAfterUnit":"months"}"#)
            .create(&LocationId::generate(), None, Timestamp(0))
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["slotBuffer", "allowBookingAfter"]);
    }
}
