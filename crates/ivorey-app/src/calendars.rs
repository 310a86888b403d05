//! Calendars and bookings, for every face alike: booking checks the calendar, contact and
//! assigned user against the location and the open hours (the store refuses an overlap in the
//! transaction that writes it), and free slots are the open hours minus booked time. The public
//! API and the web calendar call the same functions.

use ivorey_core::calendar::appointment::{Appointment, AppointmentChange};
use ivorey_core::calendar::slots::free_slots as compute_free_slots;
use ivorey_core::calendar::{Calendar, CalendarInput};
use ivorey_core::{ContactId, LocationId, Timestamp, ValidationErrors};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

pub const NOT_FOUND: AppError = AppError::NotFound("Appointment not found");

/// The calendar a change books on; a 422-style problem naming `calendarId` when it is not the
/// location's.
async fn target_calendar(
    store: &dyn Store,
    location: &LocationId,
    change: &AppointmentChange,
    current: Option<&Appointment>,
) -> AppResult<Calendar> {
    let id = change
        .calendar_id
        .clone()
        .or_else(|| current.map(|a| a.calendar_id.clone()))
        .ok_or_else(|| ValidationErrors::single("calendarId", "is required"))?;
    match store.get_calendar(location, &id).await? {
        Some(calendar) => Ok(calendar),
        None => {
            Err(ValidationErrors::single("calendarId", "was not found in this location").into())
        }
    }
}

/// Refuses an assigned user who is not a member of the location.
async fn check_user(
    store: &dyn Store,
    location: &LocationId,
    change: &AppointmentChange,
) -> AppResult<()> {
    let Some(Some(user)) = &change.assigned_user_id else {
        return Ok(());
    };
    let members = store.location_users(location).await?;
    if members.iter().any(|(u, _)| &u.id == user) {
        Ok(())
    } else {
        Err(ValidationErrors::single("assignedUserId", "is not a user of this location").into())
    }
}

/// A booking's store error: an overlap (or a calendar changed meanwhile) is a conflict.
fn booking_err(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => {
            ValidationErrors::single("calendarId", "or contactId was not found in this location")
                .into()
        }
        StoreError::Conflict(what) => AppError::Conflict(format!("{what}.")),
        other => other.into(),
    }
}

/// Books a validated change (create fields present) for its contact; returns the appointment
/// and its calendar (whose zone its times are shown in).
pub async fn book(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    change: AppointmentChange,
) -> AppResult<(Appointment, Calendar)> {
    let calendar = target_calendar(store, location, &change, None).await?;
    let contact: ContactId = change
        .contact_id
        .clone()
        .ok_or_else(|| ValidationErrors::single("contactId", "is required"))?;
    if store.get_contact(location, &contact).await?.is_none() {
        return Err(ValidationErrors::single("contactId", "was not found in this location").into());
    }
    check_user(store, location, &change).await?;
    let appointment = change.create(&calendar, contact, now)?;
    store
        .insert_appointment(&appointment, calendar.date_updated)
        .await
        .map_err(booking_err)?;
    Ok((appointment, calendar))
}

/// `current` with `change` applied (moved, rescheduled, its status or details changed) and
/// saved, with the same checks as a booking.
pub async fn change(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    current: Appointment,
    change: AppointmentChange,
) -> AppResult<(Appointment, Calendar)> {
    let calendar = target_calendar(store, location, &change, Some(&current)).await?;
    check_user(store, location, &change).await?;
    let appointment = change.apply_to(current, &calendar, now)?;
    store
        .update_appointment(&appointment, calendar.date_updated)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => booking_err(other),
        })?;
    Ok((appointment, calendar))
}

/// The starts of the calendar's free slots in `[from, to)`: its open hours minus the time its
/// appointments and their buffers occupy, never sooner than its minimum notice after `now`;
/// none while it is inactive.
pub async fn free_slots(
    store: &dyn Store,
    calendar: &Calendar,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
) -> AppResult<Vec<Timestamp>> {
    if !calendar.is_active {
        return Ok(Vec::new());
    }
    // A slot starting just before `to` may run into a booking that starts after it, and the
    // buffers widen every booking by the time kept between two.
    let gap = calendar.gap_ms();
    let reach = Timestamp(to.0 + i64::from(calendar.slot_duration_minutes) * 60_000 + gap);
    let booked = store
        .list_appointments(
            &calendar.location_id,
            &calendar.id,
            Timestamp(from.0 - gap),
            reach,
        )
        .await?;
    let busy: Vec<_> = booked
        .iter()
        .filter(|a| a.occupies())
        .map(|a| (Timestamp(a.start.0 - gap), Timestamp(a.end.0 + gap)))
        .collect();
    let earliest = calendar.earliest_start(now);
    Ok(calendar.with_schedule(|s| compute_free_slots(s, (from, to), earliest, &busy)))
}

/// A new calendar of `location` from a client's input; its zone defaults to the business's.
pub async fn create_calendar(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: CalendarInput,
) -> AppResult<Calendar> {
    let home = store.get_location(location).await?;
    let default_zone = home.as_ref().and_then(|l| l.profile.timezone.as_deref());
    let calendar = input.create(location, default_zone, now)?;
    store.insert_calendar(&calendar).await?;
    Ok(calendar)
}

/// `current` with the input's fields applied, saved.
pub async fn update_calendar(
    store: &dyn Store,
    now: Timestamp,
    current: Calendar,
    input: CalendarInput,
) -> AppResult<Calendar> {
    let calendar = input.update(current, now)?;
    store
        .update_calendar(&calendar)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("Calendar not found"),
            other => other.into(),
        })?;
    Ok(calendar)
}
