//! `POST /contacts/search` (filters, sort, page or `searchAfter` keyset) and
//! `GET /contacts/search/duplicate`, in HighLevel v2 shapes. The body's `locationId` must be
//! the token's; the store sees only the token's location.

use axum::extract::State;
use ivorey_core::contact::{Contact, normalize_phone};
use ivorey_core::contact_search::{SearchBody, SortField};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub async fn search(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<SearchBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let search = body.into_search()?;
    let page = state.store.search_contacts(location, &search).await?;
    let contacts: Vec<Value> = page
        .contacts
        .iter()
        .map(|c| with_cursor(c, search.sort))
        .collect();
    Ok(ok(json!({ "contacts": contacts, "total": page.total })))
}

/// The contact with its `searchAfter`: what the client sends to get the page after it.
fn with_cursor(contact: &Contact, sort: SortField) -> Value {
    let key: Value = match sort {
        SortField::DateAdded => contact.date_added.millis().into(),
        SortField::FirstName => contact.first_name_lower().into(),
        SortField::LastName => contact.last_name_lower().into(),
    };
    let mut value = contact.to_json();
    if let Some(map) = value.as_object_mut() {
        map.insert("searchAfter".into(), json!([key, contact.id.as_str()]));
    }
    value
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateParams {
    location_id: Option<String>,
    email: Option<String>,
    number: Option<String>,
}

/// The contact an upsert with this email or number would update: by email first, then by
/// the normalised number; `{"contact": null}` when none.
pub async fn duplicate(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<DuplicateParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let email = params
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    let number = match params.number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(normalize_phone(raw).ok_or_else(|| {
            ApiError::Unprocessable(vec!["number must be a phone number".into()])
        })?),
    };
    if email.is_none() && number.is_none() {
        return Err(ApiError::Unprocessable(vec![
            "email or number must be given".into(),
        ]));
    }
    let mut found = None;
    if let Some(email) = &email {
        found = state.store.find_contact_by_email(location, email).await?;
    }
    if let (None, Some(number)) = (&found, &number) {
        found = state.store.find_contact_by_phone(location, number).await?;
    }
    Ok(ok(
        json!({ "contact": found.as_ref().map(Contact::to_json) }),
    ))
}
