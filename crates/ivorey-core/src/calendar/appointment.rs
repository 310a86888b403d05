//! Appointments on a calendar: the record, its statuses, and the validated create and update
//! inputs in HighLevel's field names. Whether the time is free is the store's to decide, in the
//! transaction that writes it; whether it is inside the open hours is checked here.

use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Calendar;
use super::slots::{local_iso, within_open_hours};
use crate::error::{ValidationErrors, bounded_text};
use crate::ids::{AppointmentId, CalendarId};
use crate::serde_util::double_option;
use crate::{ContactId, LocationId, Timestamp, UserId};

const TITLE_MAX: usize = 255;
const TEXT_MAX: usize = 5000;
/// The longest appointment: 31 days.
pub const LENGTH_MAX_MS: i64 = 31 * 86_400_000;

/// HighLevel's appointment statuses; a cancelled appointment frees its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStatus {
    New,
    Confirmed,
    Cancelled,
    Showed,
    Noshow,
    Invalid,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        Self::New,
        Self::Confirmed,
        Self::Cancelled,
        Self::Showed,
        Self::Noshow,
        Self::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Showed => "showed",
            Self::Noshow => "noshow",
            Self::Invalid => "invalid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A stored appointment.
#[derive(Debug, Clone, PartialEq)]
pub struct Appointment {
    pub id: AppointmentId,
    pub location_id: LocationId,
    pub calendar_id: CalendarId,
    pub contact_id: ContactId,
    pub title: String,
    pub description: Option<String>,
    pub address: Option<String>,
    pub status: AppointmentStatus,
    pub assigned_user_id: Option<UserId>,
    pub start: Timestamp,
    pub end: Timestamp,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
}

impl Appointment {
    /// Whether it keeps its time from other bookings.
    pub fn occupies(&self) -> bool {
        self.status != AppointmentStatus::Cancelled
    }

    /// The event in HighLevel's shape (`CalendarEventDTO`, also a superset of the flat create
    /// and update answer), times with the offset of `zone` (the calendar's).
    pub fn to_json(&self, zone: &TimeZone) -> Value {
        let mut value = json!({
            "id": self.id.as_str(),
            "calendarId": self.calendar_id.as_str(),
            "locationId": self.location_id.as_str(),
            "contactId": self.contact_id.as_str(),
            "groupId": "",
            "title": self.title,
            "appointmentStatus": self.status.as_str(),
            "assignedUserId": self.assigned_user_id.as_ref().map_or("", UserId::as_str),
            "users": [],
            "isRecurring": false,
            "startTime": local_iso(self.start, zone),
            "endTime": local_iso(self.end, zone),
            "dateAdded": self.date_added.to_rfc3339(),
            "dateUpdated": self.date_updated.to_rfc3339(),
        });
        if let Some(map) = value.as_object_mut() {
            for (key, text) in [
                ("description", &self.description),
                ("address", &self.address),
            ] {
                if let Some(text) = text {
                    map.insert(key.into(), text.as_str().into());
                }
            }
        }
        value
    }
}

/// A time as clients send it: ISO 8601 with an offset, or Unix milliseconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TimeInput {
    Millis(i64),
    Text(String),
}

fn time(e: &mut ValidationErrors, field: &'static str, t: Option<TimeInput>) -> Option<Timestamp> {
    let parsed = match t? {
        TimeInput::Millis(ms) => Some(Timestamp(ms)).filter(|t| t.0 > 0),
        // A date without a time or offset would be read in an arbitrary zone.
        TimeInput::Text(s) if s.contains('T') => Timestamp::parse_rfc3339(s.trim()),
        TimeInput::Text(_) => None,
    };
    if parsed.is_none() {
        e.add(
            field,
            "must be an ISO 8601 date-time with an offset, e.g. 2030-06-03T10:00:00-04:00",
        );
    }
    parsed
}

/// An appointment body: `calendarId`, `locationId`, `contactId` and `startTime` are required on
/// create; on update an absent field keeps its value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentInput {
    pub calendar_id: Option<String>,
    pub location_id: Option<String>,
    pub contact_id: Option<String>,
    pub start_time: Option<TimeInput>,
    pub end_time: Option<TimeInput>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub address: Option<Option<String>>,
    pub appointment_status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub assigned_user_id: Option<Option<String>>,
    /// Books outside the open hours and in the past (never over another appointment).
    #[serde(default)]
    pub ignore_free_slot_validation: bool,
    /// Accepted for compatibility; Ivorey has no booking window to ignore.
    pub ignore_date_range: Option<bool>,
    /// Accepted for compatibility; Ivorey runs no automations.
    pub to_notify: Option<bool>,
}

/// A validated body, ids parsed; the caller resolves them against the location.
#[derive(Debug, Clone, Default)]
pub struct AppointmentChange {
    pub calendar_id: Option<CalendarId>,
    pub location_id: Option<String>,
    pub contact_id: Option<ContactId>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub status: Option<AppointmentStatus>,
    pub assigned_user_id: Option<Option<UserId>>,
    pub ignore_free_slot_validation: bool,
}

fn id<T>(
    e: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, crate::ids::InvalidId>,
) -> Option<T> {
    let raw = raw?.trim();
    let parsed = parse(raw).ok();
    if parsed.is_none() {
        e.add(field, "must be a 20-character alphanumeric id");
    }
    parsed
}

fn text(
    e: &mut ValidationErrors,
    field: &'static str,
    v: Option<Option<String>>,
) -> Option<Option<String>> {
    v.map(|t| t.and_then(|t| bounded_text(e, field, &t, TEXT_MAX, false)))
}

impl AppointmentInput {
    /// Parses every field; `creating` requires the create fields.
    pub fn validate(self, creating: bool) -> Result<AppointmentChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if creating {
            let required = [
                ("calendarId", self.calendar_id.is_none()),
                ("locationId", self.location_id.is_none()),
                ("contactId", self.contact_id.is_none()),
                ("startTime", self.start_time.is_none()),
            ];
            for (field, missing) in required {
                if missing {
                    e.add(field, "is required");
                }
            }
        } else if self.contact_id.is_some() {
            e.add("contactId", "cannot be changed; book a new appointment");
        }
        let status = self.appointment_status.as_deref().and_then(|s| {
            let parsed = AppointmentStatus::parse(s);
            if parsed.is_none() {
                e.add(
                    "appointmentStatus",
                    "must be one of new, confirmed, cancelled, showed, noshow, invalid",
                );
            }
            parsed
        });
        let change = AppointmentChange {
            calendar_id: id(
                &mut e,
                "calendarId",
                self.calendar_id.as_deref(),
                CalendarId::parse,
            ),
            contact_id: id(
                &mut e,
                "contactId",
                self.contact_id.as_deref(),
                ContactId::parse,
            ),
            location_id: self.location_id,
            start: time(&mut e, "startTime", self.start_time),
            end: time(&mut e, "endTime", self.end_time),
            title: self
                .title
                .and_then(|t| bounded_text(&mut e, "title", &t, TITLE_MAX, true)),
            description: text(&mut e, "description", self.description),
            address: text(&mut e, "address", self.address),
            status,
            assigned_user_id: self.assigned_user_id.map(|raw| {
                id(
                    &mut e,
                    "assignedUserId",
                    raw.as_deref().filter(|s| !s.trim().is_empty()),
                    UserId::parse,
                )
            }),
            ignore_free_slot_validation: self.ignore_free_slot_validation,
        };
        e.finish(change)
    }
}

impl AppointmentChange {
    /// A new appointment on `calendar` for `contact`; the end defaults to the start plus the
    /// slot duration.
    pub fn create(
        self,
        calendar: &Calendar,
        contact: ContactId,
        now: Timestamp,
    ) -> Result<Appointment, ValidationErrors> {
        let start = self.start.unwrap_or(now);
        let blank = Appointment {
            id: AppointmentId::generate(),
            location_id: calendar.location_id.clone(),
            calendar_id: calendar.id.clone(),
            contact_id: contact,
            title: calendar.name.clone(),
            description: None,
            address: None,
            status: AppointmentStatus::Confirmed,
            assigned_user_id: None,
            start,
            end: Timestamp(start.0 + i64::from(calendar.slot_duration_minutes) * 60_000),
            date_added: now,
            date_updated: now,
        };
        self.apply_to(blank, calendar, now)
    }

    /// `current` with the fields given, moved to `calendar` (its own or a new one). A new start
    /// without an end keeps the appointment's length. Unless `ignoreFreeSlotValidation`, a
    /// changed time must be in the future and inside the calendar's open hours.
    pub fn apply_to(
        self,
        mut a: Appointment,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Result<Appointment, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let moved = self.start.is_some() || self.end.is_some() || a.calendar_id != calendar.id;
        if let Some(start) = self.start {
            a.end = Timestamp(start.0 + (a.end.0 - a.start.0));
            a.start = start;
        }
        if let Some(end) = self.end {
            a.end = end;
        }
        a.calendar_id = calendar.id.clone();
        if a.end <= a.start {
            e.add("endTime", "must be after startTime");
        } else if a.end.0 - a.start.0 > LENGTH_MAX_MS {
            e.add("endTime", "must be at most 31 days after startTime");
        } else if moved && !self.ignore_free_slot_validation {
            if !calendar.is_active {
                e.add("calendarId", "is not active: it takes no bookings");
            } else if a.start < now {
                e.add("startTime", "is in the past");
            } else if a.start < calendar.earliest_start(now) {
                e.add(
                    "startTime",
                    "is sooner than the calendar's minimum booking notice",
                );
            } else if !calendar.with_schedule(|s| within_open_hours(s, a.start, a.end)) {
                e.add(
                    "startTime",
                    "is outside the calendar's open hours (see its free-slots)",
                );
            }
        }
        if let Some(title) = self.title {
            a.title = title;
        }
        if let Some(description) = self.description {
            a.description = description;
        }
        if let Some(address) = self.address {
            a.address = address;
        }
        if let Some(status) = self.status {
            a.status = status;
        }
        if let Some(user) = self.assigned_user_id {
            a.assigned_user_id = user;
        }
        a.date_updated = now;
        e.finish(a)
    }
}
