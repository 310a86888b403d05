//! Users of the token's location: `GET /users/?locationId=` and `GET /users/{userId}`, in
//! HighLevel's `UserSchema` shape. A user who is not a member of the location is "not found".

use axum::extract::State;
use ivorey_core::LocationId;
use ivorey_core::user::{Role, User};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

fn user_json(user: &User, role: Role, location: &LocationId) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "deleted": false,
        "roles": {
            "type": "account",
            "role": role.as_str(),
            "locationIds": [location],
        },
    })
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
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let users = state.store.location_users(location).await?;
    let users: Vec<Value> = users
        .iter()
        .map(|(u, r)| user_json(u, *r, location))
        .collect();
    Ok(ok(json!({ "users": users })))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(user_id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let users = state.store.location_users(location).await?;
    let (user, role) = users
        .iter()
        .find(|(u, _)| u.id.as_str() == user_id)
        .ok_or(ApiError::NotFound("User not found"))?;
    Ok(ok(user_json(user, *role, location)))
}
