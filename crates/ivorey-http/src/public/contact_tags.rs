//! `POST` and `DELETE /contacts/{contactId}/tags`: add or remove tags, answering the contact's
//! tags afterwards.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use super::contacts::{NOT_FOUND, contact_id};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::Reply;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagsBody {
    tags: Vec<String>,
}

pub async fn add(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TagsBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let mut contact = state
        .store
        .get_contact(location, &contact_id(&id)?)
        .await?
        .ok_or(NOT_FOUND)?;
    contact.fields.add_tags(body.tags)?;
    contact.date_updated = state.clock.now();
    contact.changed_by(granted.changer(), false);
    state.store.update_contact(&contact).await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "tags": contact.fields.tags }),
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TagsBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let mut contact = state
        .store
        .get_contact(location, &contact_id(&id)?)
        .await?
        .ok_or(NOT_FOUND)?;
    contact.fields.remove_tags(&body.tags);
    contact.date_updated = state.clock.now();
    contact.changed_by(granted.changer(), false);
    state.store.update_contact(&contact).await?;
    Ok(Reply(
        StatusCode::OK,
        json!({ "tags": contact.fields.tags }),
    ))
}
