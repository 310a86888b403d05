//! Conversations: `POST /conversations/`, `GET /conversations/search`, and
//! `GET/PUT/DELETE /conversations/{conversationId}`, in HighLevel v2 shapes. A conversation of
//! another location answers exactly like a missing one.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::conversation::{Channel, Conversation};
use ivorey_core::ids::ConversationId;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{ConversationQuery, ConversationView, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub(crate) const CONVERSATION_NOT_FOUND: ApiError = ApiError::NotFound("Conversation not found");

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Unprocessable(vec![format!("{field} {message}")])
}

pub(crate) fn conversation_id(raw: &str) -> ApiResult<ConversationId> {
    ConversationId::parse(raw).map_err(|_| CONVERSATION_NOT_FOUND)
}

/// The conversation, once it is known to be in the location.
pub(crate) async fn conversation_in(
    state: &AppState,
    location: &LocationId,
    raw: &str,
) -> ApiResult<Conversation> {
    let id = conversation_id(raw)?;
    state
        .store
        .get_conversation(location, &id)
        .await?
        .ok_or(CONVERSATION_NOT_FOUND)
}

/// Phone unless the last message was an email.
fn is_email(c: &Conversation) -> bool {
    c.last_message_type == Some(Channel::Email)
}

fn last_message(c: &Conversation, map: &mut serde_json::Map<String, Value>) {
    if let Some(kind) = c.last_message_type {
        map.insert("lastMessageType".into(), kind.message_type().into());
    }
    if let Some(direction) = c.last_message_direction {
        map.insert("lastMessageDirection".into(), direction.as_str().into());
    }
}

/// `ConversationDto` / `ConversationCreateResponseDto`: dates as RFC 3339 strings.
fn dto(c: &Conversation) -> Value {
    let mut value = json!({
        "id": c.id.as_str(), "locationId": c.location_id.as_str(),
        "contactId": c.contact_id.as_str(), "deleted": false, "inbox": true,
        "starred": c.starred, "unreadCount": c.unread_count,
        "lastMessageBody": c.last_message_body.clone().unwrap_or_default(),
        "lastMessageDate": c.last_activity_at.to_rfc3339(),
        "dateAdded": c.date_added.to_rfc3339(), "dateUpdated": c.date_updated.to_rfc3339(),
    });
    if let Some(map) = value.as_object_mut() {
        last_message(c, map);
    }
    value
}

/// `GetConversationByIdResponse`: flat, `type` 1 (phone) or 2 (email).
fn detail(c: &Conversation) -> Value {
    let mut value = dto(c);
    if let Some(map) = value.as_object_mut() {
        map.insert("type".into(), if is_email(c) { 2 } else { 1 }.into());
    }
    value
}

/// `ConversationSchema` of the search, with the contact's name, email and phone, and `sort`:
/// the value to pass back as `startAfterDate`.
fn listed(view: &ConversationView) -> Value {
    let (c, k) = (&view.conversation, &view.contact);
    let name = k.name.clone().unwrap_or_default();
    let mut value = json!({
        "id": c.id.as_str(), "contactId": c.contact_id.as_str(),
        "locationId": c.location_id.as_str(),
        "lastMessageBody": c.last_message_body.clone().unwrap_or_default(),
        "type": if is_email(c) { "TYPE_EMAIL" } else { "TYPE_PHONE" },
        "unreadCount": c.unread_count, "starred": c.starred,
        "fullName": name, "contactName": name,
        "email": k.email.clone().unwrap_or_default(), "phone": k.phone.clone().unwrap_or_default(),
        "lastMessageDate": c.last_activity_at.millis(),
        "dateAdded": c.date_added.millis(), "dateUpdated": c.date_updated.millis(),
        "sort": [c.last_activity_at.millis()],
    });
    if let Some(map) = value.as_object_mut() {
        last_message(c, map);
    }
    value
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    location_id: Option<String>,
    contact_id: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let no_contact = || invalid("contactId", "must be the id of a contact of this location");
    let contact = body
        .contact_id
        .as_deref()
        .and_then(|raw| ContactId::parse(raw.trim()).ok())
        .ok_or_else(no_contact)?;
    let conversation = Conversation::new(location, &contact, state.clock.now());
    state
        .store
        .insert_conversation(&conversation)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => no_contact(),
            StoreError::Conflict(what) => ApiError::Conflict(format!("contactId: {what}")),
            other => other.into(),
        })?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "success": true, "conversation": dto(&conversation) }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let conversation = conversation_in(&state, location, &id).await?;
    Ok(ok(detail(&conversation)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    location_id: Option<String>,
    unread_count: Option<u32>,
    starred: Option<bool>,
    /// Accepted for compatibility; Ivorey keeps no feedback.
    #[expect(dead_code, reason = "accepted and ignored, as documented")]
    feedback: Option<Value>,
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let mut conversation = conversation_in(&state, location, &id).await?;
    if let Some(unread) = body.unread_count {
        conversation.unread_count = unread;
    }
    if let Some(starred) = body.starred {
        conversation.starred = starred;
    }
    conversation.date_updated = state.clock.now();
    state
        .store
        .update_conversation(&conversation)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => CONVERSATION_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(
        json!({ "success": true, "conversation": dto(&conversation) }),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = conversation_id(&id)?;
    state
        .store
        .delete_conversation(location, &id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => CONVERSATION_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "success": true })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchParams {
    location_id: Option<String>,
    contact_id: Option<String>,
    query: Option<String>,
    status: Option<String>,
    limit: Option<String>,
    sort: Option<String>,
    sort_by: Option<String>,
    start_after_date: Option<String>,
    /// Ivorey's tie-break for `startAfterDate`: the id of the last conversation of the page.
    start_after_id: Option<String>,
}

fn search_query(p: SearchParams) -> ApiResult<ConversationQuery> {
    let mut q = ConversationQuery {
        limit: 20,
        ..Default::default()
    };
    if let Some(raw) = p.contact_id.as_deref().filter(|s| !s.is_empty()) {
        q.contact_id = Some(
            ContactId::parse(raw).map_err(|_| invalid("contactId", "must be a 20-character id"))?,
        );
    }
    q.query = p
        .query
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    match p.status.as_deref() {
        None | Some("all" | "recents") => {}
        Some("read") => q.unread = Some(false),
        Some("unread") => q.unread = Some(true),
        Some("starred") => q.starred = Some(true),
        Some(_) => {
            return Err(invalid(
                "status",
                "must be one of all, read, unread, starred, recents",
            ));
        }
    }
    if let Some(raw) = p.limit {
        q.limit = raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| invalid("limit", "must be a whole number from 1 to 100"))?;
    }
    match p.sort.as_deref() {
        None | Some("desc") => {}
        Some("asc") => q.ascending = true,
        Some(_) => return Err(invalid("sort", "must be asc or desc")),
    }
    if !matches!(p.sort_by.as_deref(), None | Some("last_message_date")) {
        return Err(invalid(
            "sortBy",
            "must be last_message_date (the only order served)",
        ));
    }
    let after_id = match p.start_after_id.as_deref() {
        Some(raw) => Some(
            ConversationId::parse(raw)
                .map_err(|_| invalid("startAfterId", "must be a 20-character id"))?,
        ),
        None => None,
    };
    match p.start_after_date {
        Some(raw) => {
            let at = raw.parse::<i64>().map_err(|_| {
                invalid(
                    "startAfterDate",
                    "must be the sort value (milliseconds) of the last conversation",
                )
            })?;
            q.after = Some((Timestamp(at), after_id));
        }
        None if after_id.is_some() => return Err(invalid("startAfterId", "needs startAfterDate")),
        None => {}
    }
    Ok(q)
}

pub async fn search(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(params.location_id.as_deref(), "locationId")?;
    let query = search_query(params)?;
    let page = state.store.search_conversations(location, &query).await?;
    let conversations: Vec<Value> = page.conversations.iter().map(listed).collect();
    Ok(ok(
        json!({ "conversations": conversations, "total": page.total }),
    ))
}
