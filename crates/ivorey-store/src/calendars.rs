//! Calendars and their appointments. The database keeps an appointment's calendar and contact
//! in its location, and refuses overlapping bookings in the transaction that writes them.

use async_trait::async_trait;
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::Appointment;
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::{LocationId, Timestamp};

use crate::error::StoreResult;

/// The `Conflict` of a booking that overlaps another non-cancelled appointment.
pub const SLOT_TAKEN: &str = "the time overlaps another appointment on this calendar";
/// The `Conflict` of a booking checked against calendar settings that changed meanwhile.
pub const CALENDAR_CHANGED: &str = "the calendar changed while booking; retry";

/// Calendars and appointments. A record of another location is not found.
#[async_trait]
pub trait CalendarStore {
    async fn insert_calendar(&self, calendar: &Calendar) -> StoreResult<()>;
    /// The location's calendars, oldest first (`date_added`, then id).
    async fn list_calendars(&self, location: &LocationId) -> StoreResult<Vec<Calendar>>;
    async fn get_calendar(
        &self,
        location: &LocationId,
        id: &CalendarId,
    ) -> StoreResult<Option<Calendar>>;
    /// Saves every field but id, location and `date_added`; `NotFound` if absent.
    async fn update_calendar(&self, calendar: &Calendar) -> StoreResult<()>;
    /// Deletes the calendar and its appointments; `NotFound` if absent.
    async fn delete_calendar(&self, location: &LocationId, id: &CalendarId) -> StoreResult<()>;

    /// Books `appointment` in one transaction holding its calendar's lock: `NotFound` if its
    /// calendar or contact is not in its location; `Conflict(CALENDAR_CHANGED)` if the
    /// calendar's `date_updated` is no longer `checked_against` (its open hours were checked
    /// against older settings); `Conflict(SLOT_TAKEN)` if it is not cancelled and overlaps a
    /// non-cancelled appointment of the calendar.
    async fn insert_appointment(
        &self,
        appointment: &Appointment,
        checked_against: Timestamp,
    ) -> StoreResult<()>;
    /// Saves every field but id, location, contact and `date_added`, with the same checks as
    /// insert (the appointment does not overlap itself); `NotFound` also if it is absent.
    async fn update_appointment(
        &self,
        appointment: &Appointment,
        checked_against: Timestamp,
    ) -> StoreResult<()>;
    async fn get_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<Option<Appointment>>;
    /// `NotFound` if absent.
    async fn delete_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<()>;
    /// The calendar's appointments (cancelled ones too) overlapping `[from, to)`, by start
    /// then id.
    async fn list_appointments(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Appointment>>;
    /// Like `list_appointments`, at most `limit`, each with its contact's name: a calendar's
    /// week or day as its pages show it.
    async fn agenda(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        window: (Timestamp, Timestamp),
        limit: u32,
    ) -> StoreResult<Vec<AgendaItem>>;
}

/// An appointment and the name its contact is shown by.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub appointment: Appointment,
    pub contact_name: String,
}
