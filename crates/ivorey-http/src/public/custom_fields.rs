//! Custom field definitions: `/locations/{locationId}/customFields[/{id}]`, in HighLevel v2
//! shapes. The path's location must be the token's (403 otherwise); `{id}` is a field id or its
//! key (`contact.pin_code`). A taken key is a 422 naming `name`, as upstream lists no 409.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::LocationId;
use ivorey_core::custom_field::{CustomField, CustomFieldInput};
use ivorey_core::ids::CustomFieldId;
use ivorey_store::StoreError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const FIELD_NOT_FOUND: ApiError = ApiError::NotFound("Custom field not found");

/// The field named by id or key, in the location.
async fn field_in(state: &AppState, location: &LocationId, raw: &str) -> ApiResult<CustomField> {
    let found = match CustomFieldId::parse(raw) {
        Ok(id) => state.store.get_custom_field(location, &id).await?,
        Err(_) => state.store.find_custom_field_by_key(location, raw).await?,
    };
    found.ok_or(FIELD_NOT_FOUND)
}

fn key_taken(field: &CustomField) -> ApiError {
    ApiError::Unprocessable(vec![format!(
        "name gives the key {} that another custom field of the location has",
        field.field_key
    )])
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    model: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(location): ApiPath<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(Some(&location), "locationId")?;
    let model = match params.model.as_deref() {
        None | Some("all") => None,
        Some(m @ ("contact" | "opportunity")) => Some(m),
        Some(_) => {
            return Err(ApiError::Unprocessable(vec![
                "model must be contact, opportunity or all".into(),
            ]));
        }
    };
    let fields = state.store.list_custom_fields(location, model).await?;
    let fields: Vec<Value> = fields.iter().map(CustomField::to_json).collect();
    Ok(ok(json!({ "customFields": fields })))
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<CustomFieldInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(Some(&location), "locationId")?;
    let field = body.into_field(location.clone(), state.clock.now())?;
    state
        .store
        .insert_custom_field(&field)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => key_taken(&field),
            other => other.into(),
        })?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "customField": field.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(Some(&location), "locationId")?;
    let field = field_in(&state, location, &id).await?;
    Ok(ok(json!({ "customField": field.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath((location, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<CustomFieldInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(Some(&location), "locationId")?;
    let field = body.apply_to(field_in(&state, location, &id).await?)?;
    state
        .store
        .update_custom_field(&field)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => FIELD_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "customField": field.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(Some(&location), "locationId")?;
    let field = field_in(&state, location, &id).await?;
    state
        .store
        .delete_custom_field(location, &field.id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => FIELD_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "succeded": true })))
}
