//! `POST /forms/submit/{formId}`: the endpoint a website's form posts to, with no token. It
//! takes JSON or `application/x-www-form-urlencoded` bodies of at most `BODY_MAX` bytes, is
//! throttled per client address and form (429 + `Retry-After`), drops honeypot posts silently,
//! and answers an unknown form (or one of any other location) with the same 404.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, refuse_nul_in_json, refuse_nul_in_pairs};
use crate::reply::Reply;
use crate::state::AppState;
use ivorey_app::forms::{FORM_NOT_FOUND, Submitted, form_id, submit as store_submission};

/// The largest accepted submission body: 50 fields of a few hundred characters fit easily.
pub const BODY_MAX: usize = 64 * 1024;

pub async fn submit(
    State(state): State<AppState>,
    ApiPath(raw_id): ApiPath<String>,
    request: Request,
) -> ApiResult<Reply<Value>> {
    let id = form_id(&raw_id)?;
    let form = state.store.find_form(&id).await?.ok_or(FORM_NOT_FOUND)?;
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let now = state.clock.now();
    state.form_submits.admit(&client, &form.id, now)?;
    let posted = read_body(request).await?;
    let submitted = store_submission(state.store.as_ref(), now, &form, &posted).await?;
    let (Submitted::Stored(id) | Submitted::Dropped(id)) = submitted;
    // Nothing about the contact (new or matched) is shown to an anonymous client.
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "success": true, "submissionId": id.as_str() }),
    ))
}

/// The posted fields as a JSON object, from either body type.
async fn read_body(request: Request) -> ApiResult<Map<String, Value>> {
    let mime = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(Body::new(request.into_body()), BODY_MAX)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    match mime.as_str() {
        "application/json" => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => refuse_nul_in_json(&bytes).map(|()| map),
            Ok(_) => Err(ApiError::Unprocessable(vec![
                "The request body must be a JSON object.".into(),
            ])),
            Err(_) => Err(ApiError::BadRequest(
                "The request body is not valid JSON.".into(),
            )),
        },
        "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| ApiError::BadRequest("The form body could not be read.".into()))?;
            refuse_nul_in_pairs(&pairs)?;
            let mut map = Map::new();
            for (key, value) in pairs {
                // A repeated key keeps its first value.
                map.entry(key).or_insert(Value::String(value));
            }
            Ok(map)
        }
        _ => Err(ApiError::UnsupportedMediaType),
    }
}
