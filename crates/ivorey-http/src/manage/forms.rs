//! Form definitions for signed-in users: any member reads them, admins create, replace and
//! delete them. HighLevel's public API only lists forms, so this is where they are made.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::form::FormInput;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::forms;

pub async fn list(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let (location, _) = session.role_in(&state, &location).await?;
    let (found, total) = state.store.list_forms(&location, 0, 1000).await?;
    let found: Vec<Value> = found.iter().map(|f| f.to_json()).collect();
    Ok(ok(json!({ "forms": found, "total": total })))
}

pub async fn create(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<FormInput>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let form = forms::create_form(state.store.as_ref(), state.clock.now(), &location, body).await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "form": form.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let (location, _) = session.role_in(&state, &location).await?;
    let form = forms::get_form(state.store.as_ref(), &location, &id).await?;
    Ok(ok(json!({ "form": form.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<FormInput>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let form = forms::update_form(state.store.as_ref(), now, &location, &id, body).await?;
    Ok(ok(json!({ "form": form.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    forms::delete_form(state.store.as_ref(), &location, &id).await?;
    Ok(ok(json!({ "succeeded": true })))
}
