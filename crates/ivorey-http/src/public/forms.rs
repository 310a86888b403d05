//! `GET /forms/` and `GET /forms/submissions` (scope `forms.readonly`), and the token-less
//! `POST /forms/submit/{formId}` a website form posts to (`submit.rs`).
//!
//! Submissions are listed newest first and paged by `page`/`limit`. An offset page over rows
//! that keep arriving would shift, so `endAt` also takes an exact time: a client that sends the
//! time of its first request as `endAt` on every page reads one fixed set of rows (those
//! created before it) without gaps or repeats.

mod submit;

use std::time::Duration;

use axum::extract::State;
use ivorey_core::Timestamp;
use ivorey_store::SubmissionQuery;
use serde::Deserialize;
use serde_json::{Value, json};

pub use submit::submit;

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::reply::{Reply, ok};
use crate::state::AppState;
use ivorey_app::forms::form_id;

const FORMS_LIMIT_DEFAULT: u32 = 10;
const FORMS_LIMIT_MAX: u32 = 50;
const SUBMISSIONS_LIMIT_DEFAULT: u32 = 20;
const SUBMISSIONS_LIMIT_MAX: u32 = 100;
const DAY: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct FormsParams {
    location_id: Option<String>,
    skip: Option<u64>,
    limit: Option<u32>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn limit(given: Option<u32>, default: u32, max: u32) -> ApiResult<u32> {
    match given.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::Unprocessable(vec![format!(
            "limit must be between 1 and {max}"
        )])),
    }
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<FormsParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let limit = limit(params.limit, FORMS_LIMIT_DEFAULT, FORMS_LIMIT_MAX)?;
    // Ivorey has no form folders: `type=folder` lists none.
    if params.kind.as_deref() == Some("folder") {
        return Ok(ok(json!({ "forms": [], "total": 0 })));
    }
    let (forms, total) = state
        .store
        .list_forms(location, params.skip.unwrap_or(0), limit)
        .await?;
    let forms: Vec<Value> = forms.iter().map(|f| f.to_summary_json()).collect();
    Ok(ok(json!({ "forms": forms, "total": total })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionsParams {
    location_id: Option<String>,
    page: Option<u64>,
    limit: Option<u32>,
    form_id: Option<String>,
    q: Option<String>,
    start_at: Option<String>,
    end_at: Option<String>,
}

/// A time bound: a `YYYY-MM-DD` date (a whole UTC day: `startAt` from its start, `endAt`
/// through its end), an RFC 3339 time, or Unix milliseconds (both exact).
pub(super) fn bound(raw: Option<&str>, field: &str, end: bool) -> ApiResult<Option<Timestamp>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(ms) = raw.parse::<i64>() {
        return Ok(Some(Timestamp(ms)));
    }
    let is_date = raw.len() == 10;
    match Timestamp::parse_rfc3339(raw) {
        Some(t) if is_date && end => Ok(Some(t.plus(DAY))),
        Some(t) => Ok(Some(t)),
        None => Err(ApiError::Unprocessable(vec![format!(
            "{field} must be a date (YYYY-MM-DD), an RFC 3339 time or Unix milliseconds"
        )])),
    }
}

pub async fn submissions(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<SubmissionsParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let limit = limit(
        params.limit,
        SUBMISSIONS_LIMIT_DEFAULT,
        SUBMISSIONS_LIMIT_MAX,
    )?;
    let page = params.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::Unprocessable(vec![
            "page must be 1 or more".into(),
        ]));
    }
    let form = match params.form_id.as_deref().map(str::trim) {
        None | Some("") => None,
        // A malformed form id matches nothing, like another location's form.
        Some(raw) => match form_id(raw) {
            Ok(id) => Some(id),
            Err(_) => return Ok(ok(empty_page(page))),
        },
    };
    let query = SubmissionQuery {
        form_id: form,
        from: bound(params.start_at.as_deref(), "startAt", false)?,
        until: bound(params.end_at.as_deref(), "endAt", true)?,
        query: params
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
        offset: (page - 1).saturating_mul(u64::from(limit)),
        limit,
    };
    let found = state.store.list_submissions(location, &query).await?;
    let submissions: Vec<Value> = found.submissions.iter().map(|s| s.to_json()).collect();
    let shown = query.offset.saturating_add(submissions.len() as u64);
    let next = (shown < found.total).then_some(page + 1);
    let prev = (page > 1).then(|| page - 1);
    Ok(ok(json!({
        "submissions": submissions,
        "meta": { "total": found.total, "currentPage": page, "nextPage": next, "prevPage": prev },
    })))
}

fn empty_page(page: u64) -> Value {
    let prev = (page > 1).then(|| page - 1);
    json!({
        "submissions": [],
        "meta": { "total": 0, "currentPage": page, "nextPage": null, "prevPage": prev },
    })
}
