//! `GET /locations/{locationId}`: the business profile, in HighLevel's location shape.

use crate::extract::ApiPath;
use axum::extract::State;
use serde_json::json;

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub async fn get_location(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(location_id): ApiPath<String>,
) -> ApiResult<Reply<serde_json::Value>> {
    let location = granted.check_location(Some(&location_id), "locationId")?;
    let found = state
        .store
        .get_location(location)
        .await?
        .ok_or(ApiError::NotFound("Location not found"))?;
    let p = found.profile;
    let mut body = json!({
        "id": found.id,
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "address": p.address,
        "city": p.city,
        "state": p.state,
        "postalCode": p.postal_code,
        "country": p.country,
        "website": p.website,
        "timezone": p.timezone,
        "dateAdded": found.created_at,
    });
    if let Some(map) = body.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    Ok(ok(json!({ "location": body })))
}
