//! Contacts: create, get, update, delete and the cursor-paged list, in HighLevel v2 shapes.
//! A contact of another location answers exactly like one that does not exist.

use crate::extract::ApiPath;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use ivorey_core::contact::{Contact, CreateContactInput, UpdateContactInput};
use ivorey_core::contact_terms::{QUERY_WORDS_MAX, query_words};
use ivorey_core::{ContactId, Timestamp};
use ivorey_store::ContactQuery;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use super::contact_reply::{ContactPage, OneContact};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub(super) const NOT_FOUND: ApiError = ApiError::NotFound("Contact not found");
const LIMIT_DEFAULT: u32 = 20;
const LIMIT_MAX: u32 = 100;

/// A contact id from the path; a malformed one is the client's mistake (400).
pub(super) fn contact_id(raw: &str) -> ApiResult<ContactId> {
    ContactId::parse(raw).map_err(|_| {
        ApiError::BadRequest("contactId must be a 20-character alphanumeric id".into())
    })
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CreateContactInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted
        .check_location(body.location_id.as_deref(), "locationId")?
        .clone();
    let fields = body.into_fields()?;
    let now = state.clock.now();
    let mut contact = Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location,
        fields,
        date_added: now,
        date_updated: now,
    };
    contact.changed_by(granted.changer(), true);
    state.store.insert_contact(&contact).await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "contact": contact.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<OneContact>> {
    let location = granted.location();
    let contact = state
        .store
        .get_contact(location, &contact_id(&id)?)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(ok(OneContact(contact)))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateContactInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = contact_id(&id)?;
    let mut contact = state
        .store
        .get_contact(location, &id)
        .await?
        .ok_or(NOT_FOUND)?;
    contact.fields = body.apply_to(contact.fields)?;
    contact.date_updated = state.clock.now();
    contact.changed_by(granted.changer(), false);
    state
        .store
        .update_contact(&contact)
        .await
        .map_err(|e| match e {
            ivorey_store::StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(
        json!({ "succeded": true, "contact": contact.to_json() }),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    state
        .store
        .delete_contact(location, &contact_id(&id)?)
        .await
        .map_err(|e| match e {
            ivorey_store::StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "succeded": true })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    location_id: Option<String>,
    limit: Option<u32>,
    /// Milliseconds: the `dateAdded` of the last contact of the previous page.
    start_after: Option<i64>,
    start_after_id: Option<String>,
    query: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    uri: Uri,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Reply<ContactPage>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let limit = params.limit.unwrap_or(LIMIT_DEFAULT);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(ApiError::Unprocessable(vec![format!(
            "limit must be between 1 and {LIMIT_MAX}"
        )]));
    }
    let query = params
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    if query.is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::Unprocessable(vec![
            "query must be at most 200 characters".into(),
        ]));
    }
    if query.is_some_and(|q| q.chars().any(char::is_control)) {
        return Err(ApiError::Unprocessable(vec![
            "query must not contain control characters".into(),
        ]));
    }
    if query.is_some_and(|q| query_words(q).len() > QUERY_WORDS_MAX) {
        return Err(ApiError::Unprocessable(vec![format!(
            "query must have at most {QUERY_WORDS_MAX} words"
        )]));
    }
    let after = match (params.start_after, params.start_after_id) {
        (Some(at), None) => Some((Timestamp(at), String::new())),
        (Some(at), Some(id)) => {
            let id = ContactId::parse(&id).map_err(|_| {
                ApiError::Unprocessable(vec![
                    "startAfterId must be a 20-character alphanumeric id".into(),
                ])
            })?;
            Some((Timestamp(at), String::from(id)))
        }
        (None, Some(_)) => {
            return Err(ApiError::Unprocessable(vec![
                "startAfterId needs startAfter".into(),
            ]));
        }
        (None, None) => None,
    };
    let contact_query = ContactQuery {
        after,
        limit,
        query: query.map(str::to_owned),
    };
    let page = state.store.list_contacts(location, &contact_query).await?;
    let next = (page.contacts.len() == limit as usize)
        .then(|| page.contacts.last())
        .flatten();
    let meta = json!({
        "total": page.total,
        "startAfterId": next.map(|c| c.id.as_str()),
        "startAfter": next.map(|c| c.date_added.millis()),
        "nextPageUrl": next.map(|c| next_page_url(uri.path(), location.as_str(), limit, c, query)),
    });
    Ok(ok(ContactPage {
        count: page.total,
        contacts: page.contacts,
        meta,
    }))
}

fn next_page_url(
    path: &str,
    location: &str,
    limit: u32,
    last: &Contact,
    query: Option<&str>,
) -> String {
    let mut url = format!(
        "{path}?locationId={location}&limit={limit}&startAfter={}&startAfterId={}",
        last.date_added.millis(),
        last.id
    );
    if let Some(q) = query {
        url.push_str("&query=");
        for byte in q.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                url.push(byte as char);
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    url
}
