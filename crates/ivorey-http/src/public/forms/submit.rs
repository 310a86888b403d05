//! `POST /forms/submit/{formId}`: the endpoint a website's form posts to, with no token. It
//! takes JSON or `application/x-www-form-urlencoded` bodies of at most `BODY_MAX` bytes, is
//! throttled per client address and form (429 + `Retry-After`), drops honeypot posts silently,
//! and answers an unknown form (or one of any other location) with the same 404.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ivorey_core::form::Form;
use ivorey_core::ids::SubmissionId;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, refuse_nul_in_json, refuse_nul_in_pairs};
use crate::reply::Reply;
use crate::state::AppState;
use crate::web::{after_submit, refused_page};
use ivorey_app::forms::{FORM_NOT_FOUND, Submitted, form_id, submit as store_submission};

/// The largest accepted submission body: 50 fields of a few hundred characters fit easily.
pub const BODY_MAX: usize = 64 * 1024;

/// A website's form post answers the visitor's browser (it asked for HTML and sent a form
/// body): a redirect to the thank-you page or the form's own redirect, and a page in words for
/// a refusal. Scripts and tools get JSON.
pub async fn submit(
    State(state): State<AppState>,
    ApiPath(raw_id): ApiPath<String>,
    request: Request,
) -> Response {
    let browser = from_a_browser(request.headers());
    match stored(&state, &raw_id, request).await {
        Ok((form, _)) if browser => after_submit(&form),
        Ok((_, id)) => Reply(
            StatusCode::CREATED,
            json!({ "success": true, "submissionId": id.as_str() }),
        )
        .into_response(),
        Err(e) if browser => refused_page(&raw_id, &e),
        Err(e) => e.into_response(),
    }
}

/// A navigation's form post: `text/html` accepted and a form-encoded body.
fn from_a_browser(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or_default()
    };
    text(header::ACCEPT).contains("text/html")
        && text(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

/// The form and the id of the submission stored (or dropped, for a honeypot).
async fn stored(
    state: &AppState,
    raw_id: &str,
    request: Request,
) -> ApiResult<(Form, SubmissionId)> {
    let id = form_id(raw_id)?;
    let form = state.store.find_form(&id).await?.ok_or(FORM_NOT_FOUND)?;
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let now = state.clock.now();
    state.form_submits.admit(&client, &form.id, now)?;
    let posted = read_body(request).await?;
    let submitted = store_submission(state.store.as_ref(), now, &form, &posted).await?;
    // Nothing about the contact (new or matched) is shown to an anonymous client.
    let (Submitted::Stored(id) | Submitted::Dropped(id)) = submitted;
    Ok((form, id))
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
