//! Settings > Messaging: the location's SMTP server and SMS/custom webhook (admins only). The
//! webhook's signing secret appears once, in the answer that created or rotated it.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::messaging::{self, SmtpInput};

fn wrap(settings: Value) -> Reply<Value> {
    ok(json!({ "messaging": settings }))
}

pub async fn get(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    Ok(wrap(
        messaging::get(state.store.as_ref(), now, &location).await?,
    ))
}

pub async fn put_smtp(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<SmtpInput>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    Ok(wrap(
        messaging::set_smtp(state.store.as_ref(), now, &location, body).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookBody {
    url: String,
    #[serde(default)]
    rotate_secret: bool,
}

pub async fn put_webhook(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<WebhookBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let store = state.store.as_ref();
    let answer =
        messaging::set_webhook(store, now, &location, &body.url, body.rotate_secret).await?;
    Ok(wrap(answer))
}

pub async fn delete_smtp(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    Ok(wrap(
        messaging::remove(state.store.as_ref(), now, &location, true).await?,
    ))
}

pub async fn delete_webhook(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    Ok(wrap(
        messaging::remove(state.store.as_ref(), now, &location, false).await?,
    ))
}
