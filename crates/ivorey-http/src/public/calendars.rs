//! Calendars: `/calendars/`, `/calendars/{calendarId}` and its free slots, in HighLevel v2
//! shapes. A calendar of another location answers exactly like a missing one.

use std::collections::BTreeMap;

use axum::extract::State;
use ivorey_app::calendars;
use ivorey_core::calendar::slots::by_local_date;
use ivorey_core::calendar::{Calendar, CalendarInput, zone};
use ivorey_core::ids::CalendarId;
use ivorey_core::{LocationId, Timestamp, ValidationErrors};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub(crate) const NOT_FOUND: ApiError = ApiError::NotFound("Calendar not found");
/// The longest free-slots range HighLevel serves.
const SLOTS_RANGE_MAX_MS: i64 = 31 * 86_400_000;

pub(crate) fn calendar_id(raw: &str) -> ApiResult<CalendarId> {
    CalendarId::parse(raw).map_err(|_| {
        ApiError::BadRequest("calendarId must be a 20-character alphanumeric id".into())
    })
}

/// The location's calendar, or 404 (also for another location's).
pub(crate) async fn calendar_in(
    state: &AppState,
    location: &LocationId,
    raw: &str,
) -> ApiResult<Calendar> {
    let id = calendar_id(raw)?;
    state
        .store
        .get_calendar(location, &id)
        .await?
        .ok_or(NOT_FOUND)
}

/// A Unix-milliseconds query value (HighLevel sends them as numbers or numeric strings).
pub(crate) fn millis(
    e: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
) -> Option<Timestamp> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        e.add(field, "is required (Unix milliseconds)");
        return None;
    };
    let parsed = raw.parse::<i64>().ok().filter(|ms| *ms >= 0).map(Timestamp);
    if parsed.is_none() {
        e.add(field, "must be Unix milliseconds");
    }
    parsed
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    location_id: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    granted.check_location(params.location_id.as_deref(), "locationId")?;
    let calendars = state.store.list_calendars(location).await?;
    let calendars: Vec<Value> = calendars.iter().map(Calendar::to_json).collect();
    Ok(ok(json!({ "calendars": calendars })))
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CalendarInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    granted.check_location(body.location_id.as_deref(), "locationId")?;
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let calendar = calendars::create_calendar(store, now, location, body).await?;
    Ok(ok(json!({ "calendar": calendar.to_json() })))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let calendar = calendar_in(&state, location, &id).await?;
    Ok(ok(json!({ "calendar": calendar.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CalendarInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    if body.location_id.is_some() {
        granted.check_location(body.location_id.as_deref(), "locationId")?;
    }
    let current = calendar_in(&state, location, &id).await?;
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let calendar = calendars::update_calendar(store, now, current, body).await?;
    Ok(ok(json!({ "calendar": calendar.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = calendar_id(&id)?;
    state
        .store
        .delete_calendar(location, &id)
        .await
        .map_err(|e| match e {
            ivorey_store::StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "success": true })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct SlotParams {
    start_date: Option<String>,
    end_date: Option<String>,
    timezone: Option<String>,
}

/// Free slots from `startDate` to `endDate` (at most 31 days), keyed by local date in the
/// requested `timezone` (default: the calendar's): open hours minus booked time, never past.
pub async fn free_slots(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> ApiResult<Reply<BTreeMap<String, Value>>> {
    let location = granted.location();
    let calendar = calendar_in(&state, location, &id).await?;
    let mut e = ValidationErrors::new();
    let from = millis(&mut e, "startDate", params.start_date.as_deref());
    let to = millis(&mut e, "endDate", params.end_date.as_deref());
    let shown_in = match params
        .timezone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(calendar.zone()),
        Some(name) => {
            let found = zone(name);
            if found.is_none() {
                e.add(
                    "timezone",
                    "must be an IANA time zone such as America/New_York",
                );
            }
            found
        }
    };
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            e.add("endDate", "must be after startDate");
        } else if to.0 - from.0 > SLOTS_RANGE_MAX_MS {
            e.add("endDate", "must be at most 31 days after startDate");
        }
    }
    let (Some(from), Some(to), Some(shown_in)) = (from, to, shown_in) else {
        return Err(e.into());
    };
    e.finish(())?;
    let now = state.clock.now();
    let slots = calendars::free_slots(state.store.as_ref(), &calendar, (from, to), now).await?;
    let days = by_local_date(&slots, &shown_in)
        .into_iter()
        .map(|(day, slots)| (day, json!({ "slots": slots })))
        .collect();
    Ok(ok(days))
}
