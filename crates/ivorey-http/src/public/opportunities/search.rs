//! `GET /opportunities/search` (snake-case query, keyset cursor `startAfter`/`startAfterId`,
//! HighLevel's `meta`), `POST /opportunities/search` (JSON body, page numbers) and
//! `GET /opportunities/pipelines`. Unknown query parameters and body fields are refused rather
//! than ignored, so a filter Ivorey does not serve never silently widens a result.

use axum::extract::State;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::{ContactId, LocationId, PipelineId, StageId, Timestamp, ValidationErrors};
use ivorey_store::OpportunityQuery;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::public::Granted;
use crate::reply::{Reply, ok};
use crate::state::AppState;

const LIMIT_DEFAULT: u32 = 20;
const LIMIT_MAX: u32 = 100;
const QUERY_MAX: usize = 200;

/// The filters both searches share, as sent, with the wire names of this endpoint.
#[derive(Debug)]
struct Filters {
    pipeline: (&'static str, Option<String>),
    stage: (&'static str, Option<String>),
    contact: (&'static str, Option<String>),
    status: Option<String>,
    assigned_to: (&'static str, Option<String>),
    text: (&'static str, Option<String>),
    limit: Option<u32>,
    page: Option<u32>,
}

/// Blank values count as absent: HighLevel's own `nextPageUrl` sends `pipeline_id=` and such.
fn present((name, value): (&'static str, Option<String>)) -> (&'static str, Option<String>) {
    (
        name,
        value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()),
    )
}

fn id<T>(
    e: &mut ValidationErrors,
    (name, value): (&'static str, Option<String>),
    parse: fn(&str) -> Result<T, ivorey_core::ids::InvalidId>,
) -> Option<T> {
    let parsed = parse(&value?);
    if parsed.is_err() {
        e.add(name, "must be a 20-character alphanumeric id");
    }
    parsed.ok()
}

impl Filters {
    /// The store query (without cursor), the page size and the page number.
    fn query(self) -> Result<(OpportunityQuery, u32, u32), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let status = match present(("status", self.status)).1.as_deref() {
            None | Some("all") => None,
            Some(s) => {
                let parsed = OpportunityStatus::parse(s);
                if parsed.is_none() {
                    e.add("status", "must be one of open, won, lost, abandoned, all");
                }
                parsed
            }
        };
        let (text_name, text) = present(self.text);
        if text.as_ref().is_some_and(|q| q.chars().count() > QUERY_MAX) {
            e.add(text_name, format!("must be at most {QUERY_MAX} characters"));
        }
        if text
            .as_ref()
            .is_some_and(|q| q.chars().any(char::is_control))
        {
            e.add(text_name, "must not contain control characters");
        }
        let limit = self.limit.unwrap_or(LIMIT_DEFAULT);
        if !(1..=LIMIT_MAX).contains(&limit) {
            e.add("limit", format!("must be between 1 and {LIMIT_MAX}"));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            e.add("page", "must be 1 or more");
        }
        let query = OpportunityQuery {
            pipeline_id: id(&mut e, present(self.pipeline), PipelineId::parse),
            stage_id: id(&mut e, present(self.stage), StageId::parse),
            contact_id: id(&mut e, present(self.contact), ContactId::parse),
            status,
            assigned_to: present(self.assigned_to).1,
            query: text,
            ..OpportunityQuery::default()
        };
        e.finish((query, limit, page))
    }
}

/// Skips to page `page` when there is no cursor; with one, `page` only labels the page.
fn position(query: &mut OpportunityQuery, limit: u32, page: u32) {
    if query.after.is_none() {
        query.offset = u64::from(page - 1) * u64::from(limit);
    }
    // One more than asked tells whether another page follows.
    query.limit = limit + 1;
}

fn opportunities_json(found: &[Opportunity]) -> Vec<Value> {
    found.iter().map(Opportunity::to_json).collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    location_id: Option<String>,
    pipeline_id: Option<String>,
    pipeline_stage_id: Option<String>,
    contact_id: Option<String>,
    status: Option<String>,
    assigned_to: Option<String>,
    q: Option<String>,
    limit: Option<u32>,
    page: Option<u32>,
    /// Milliseconds: the `createdAt` of the last opportunity of the previous page.
    #[serde(rename = "startAfter")]
    start_after: Option<i64>,
    #[serde(rename = "startAfterId")]
    start_after_id: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "location_id")?;
    let mut echo = Vec::new();
    for (name, value) in [
        ("pipeline_id", &params.pipeline_id),
        ("pipeline_stage_id", &params.pipeline_stage_id),
        ("contact_id", &params.contact_id),
        ("status", &params.status),
        ("assigned_to", &params.assigned_to),
        ("q", &params.q),
    ] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            echo.push((name, value.to_owned()));
        }
    }
    let filters = Filters {
        pipeline: ("pipeline_id", params.pipeline_id),
        stage: ("pipeline_stage_id", params.pipeline_stage_id),
        contact: ("contact_id", params.contact_id),
        status: params.status,
        assigned_to: ("assigned_to", params.assigned_to),
        text: ("q", params.q),
        limit: params.limit,
        page: params.page,
    };
    let (mut query, limit, page) = filters.query()?;
    query.after = match (params.start_after, params.start_after_id) {
        (Some(at), None) => Some((Timestamp(at), String::new())),
        (Some(at), Some(id)) => {
            let id = ivorey_core::OpportunityId::parse(&id).map_err(|_| {
                ValidationErrors::single("startAfterId", "must be a 20-character alphanumeric id")
            })?;
            Some((Timestamp(at), id.to_string()))
        }
        (None, Some(_)) => {
            return Err(ValidationErrors::single("startAfterId", "needs startAfter").into());
        }
        (None, None) => None,
    };
    position(&mut query, limit, page);
    let mut found = state.store.search_opportunities(location, &query).await?;
    let more = found.opportunities.len() > limit as usize;
    found.opportunities.truncate(limit as usize);
    // Absent, not null, where there is nothing: the upstream schema types these fields.
    let mut meta = Map::new();
    meta.insert("total".into(), found.total.into());
    meta.insert("currentPage".into(), page.into());
    if page > 1 {
        meta.insert("prevPage".into(), (page - 1).into());
    }
    if let Some(last) = found.opportunities.last().filter(|_| more) {
        let at = last.created_at.millis();
        meta.insert("startAfter".into(), at.into());
        meta.insert("startAfterId".into(), last.id.as_str().into());
        let next = page.saturating_add(1);
        meta.insert("nextPage".into(), next.into());
        let url = next_page_url(location, &echo, limit, next, at, last.id.as_str());
        meta.insert("nextPageUrl".into(), url.into());
    }
    Ok(ok(json!({
        "opportunities": opportunities_json(&found.opportunities),
        "meta": meta,
        "aggregations": {},
    })))
}

fn next_page_url(
    location: &LocationId,
    filters: &[(&str, String)],
    limit: u32,
    page: u32,
    at: i64,
    id: &str,
) -> String {
    let mut url = format!("/opportunities/search?location_id={location}");
    for (name, value) in filters {
        url.push_str(&format!("&{name}={}", encode(value)));
    }
    url.push_str(&format!(
        "&limit={limit}&page={page}&startAfter={at}&startAfterId={id}"
    ));
    url
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The body of `POST /opportunities/search`. `additionalDetails` (notes, tasks, events) is
/// accepted because HighLevel marks it required, and ignored: those are not served here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchBody {
    location_id: Option<String>,
    query: Option<String>,
    limit: Option<u32>,
    page: Option<u32>,
    /// `[createdAt in milliseconds, id]` of the last opportunity of the previous page.
    search_after: Option<Vec<Value>>,
    pipeline_id: Option<String>,
    pipeline_stage_id: Option<String>,
    contact_id: Option<String>,
    status: Option<String>,
    assigned_to: Option<String>,
    #[serde(rename = "additionalDetails")]
    _additional_details: Option<Value>,
}

fn search_after(raw: &[Value]) -> Option<(Timestamp, String)> {
    let [at, id] = raw else { return None };
    let at = match at {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }?;
    let id = ivorey_core::OpportunityId::parse(id.as_str()?).ok()?;
    Some((Timestamp(at), id.to_string()))
}

pub async fn search_post(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<SearchBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let filters = Filters {
        pipeline: ("pipelineId", body.pipeline_id),
        stage: ("pipelineStageId", body.pipeline_stage_id),
        contact: ("contactId", body.contact_id),
        status: body.status,
        assigned_to: ("assignedTo", body.assigned_to),
        text: ("query", body.query),
        limit: body.limit,
        page: body.page,
    };
    let (mut query, limit, page) = filters.query()?;
    if let Some(raw) = body.search_after.filter(|raw| !raw.is_empty()) {
        query.after = Some(search_after(&raw).ok_or_else(|| {
            ValidationErrors::single(
                "searchAfter",
                "must be [createdAt in milliseconds, opportunity id]",
            )
        })?);
    }
    position(&mut query, limit, page);
    let mut found = state.store.search_opportunities(location, &query).await?;
    found.opportunities.truncate(limit as usize);
    Ok(ok(json!({
        "opportunities": opportunities_json(&found.opportunities),
        "total": found.total,
        "aggregations": {},
    })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct PipelineParams {
    location_id: Option<String>,
}

pub async fn pipelines(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<PipelineParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let pipelines = state.store.list_pipelines(location).await?;
    let pipelines: Vec<Value> = pipelines.iter().map(Pipeline::to_json).collect();
    Ok(ok(json!({ "pipelines": pipelines })))
}
