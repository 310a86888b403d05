//! Appointments (HighLevel's calendar events): book, read, change and delete one, and list a
//! calendar's events in a time window. Booking and changing go through `ivorey_app::calendars`
//! (open hours, references; the store refuses an overlap in the transaction that writes it).

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_app::calendars;
use ivorey_core::calendar::appointment::{Appointment, AppointmentInput};
use ivorey_core::ids::AppointmentId;
use ivorey_core::{LocationId, ValidationErrors};
use ivorey_store::StoreError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use super::calendars::{NOT_FOUND as CALENDAR_NOT_FOUND, calendar_in, millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const NOT_FOUND: ApiError = ApiError::NotFound("Appointment not found");
/// The longest window `GET /calendars/events` lists.
const EVENTS_RANGE_MAX_MS: i64 = 92 * 86_400_000;

fn event_id(raw: &str) -> ApiResult<AppointmentId> {
    AppointmentId::parse(raw)
        .map_err(|_| ApiError::BadRequest("eventId must be a 20-character alphanumeric id".into()))
}

/// The location's appointment, or 404 (also for another location's).
async fn appointment_in(
    state: &AppState,
    location: &LocationId,
    raw: &str,
) -> ApiResult<Appointment> {
    let id = event_id(raw)?;
    state
        .store
        .get_appointment(location, &id)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<AppointmentInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let change = body.validate(true)?;
    granted.check_location(change.location_id.as_deref(), "locationId")?;
    let store = state.store.as_ref();
    let (appointment, calendar) =
        calendars::book(store, state.clock.now(), location, change).await?;
    Ok(ok(appointment.to_json(&calendar.zone())))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let appointment = appointment_in(&state, location, &id).await?;
    let calendar = state
        .store
        .get_calendar(location, &appointment.calendar_id)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(ok(
        json!({ "event": appointment.to_json(&calendar.zone()) }),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AppointmentInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let change = body.validate(false)?;
    if change.location_id.is_some() {
        granted.check_location(change.location_id.as_deref(), "locationId")?;
    }
    let current = appointment_in(&state, location, &id).await?;
    let store = state.store.as_ref();
    let (appointment, calendar) =
        calendars::change(store, state.clock.now(), location, current, change).await?;
    Ok(ok(appointment.to_json(&calendar.zone())))
}

/// HighLevel answers a delete with 201.
pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = event_id(&id)?;
    state
        .store
        .delete_appointment(location, &id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(Reply(StatusCode::CREATED, json!({ "succeeded": true })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    location_id: Option<String>,
    calendar_id: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
}

/// The calendar's events (cancelled ones too) overlapping `[startTime, endTime)`.
pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    granted.check_location(params.location_id.as_deref(), "locationId")?;
    let mut e = ValidationErrors::new();
    let calendar = params
        .calendar_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if calendar.is_none() {
        e.add(
            "calendarId",
            "is required (userId and groupId filters are not supported)",
        );
    }
    let from = millis(&mut e, "startTime", params.start_time.as_deref());
    let to = millis(&mut e, "endTime", params.end_time.as_deref());
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            e.add("endTime", "must be after startTime");
        } else if to.0 - from.0 > EVENTS_RANGE_MAX_MS {
            e.add("endTime", "must be at most 92 days after startTime");
        }
    }
    let (Some(calendar), Some(from), Some(to)) = (calendar, from, to) else {
        return Err(e.into());
    };
    e.finish(())?;
    let calendar = calendar_in(&state, location, calendar)
        .await
        .map_err(|e| match e {
            ApiError::BadRequest(_) => CALENDAR_NOT_FOUND,
            other => other,
        })?;
    let zone = calendar.zone();
    let events = state
        .store
        .list_appointments(location, &calendar.id, from, to)
        .await?;
    let events: Vec<Value> = events.iter().map(|a| a.to_json(&zone)).collect();
    Ok(ok(json!({ "events": events })))
}
