//! Messages: list a conversation's messages (`lastMessageId` keyset paging), read one, send
//! one (queued in the outbox for the delivery worker), record an inbound one, and take a
//! provider's status update.

use axum::extract::State;
use ivorey_app::messages::{self, Source};
use ivorey_core::LocationId;
use ivorey_core::conversation::{Channel, Direction, Message, MessageStatus};
use ivorey_core::ids::MessageId;
use ivorey_store::{MessageQuery, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use super::conversations::conversation_in;
use super::message_body::{InboundBody, SendBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const MESSAGE_NOT_FOUND: ApiError = ApiError::NotFound("Message not found");

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Unprocessable(vec![format!("{field} {message}")])
}

/// `GetMessageResponseDto`, plus the email and addressing fields, and `error` once delivery
/// has failed.
pub(crate) fn message_json(m: &Message) -> Value {
    let c = &m.content;
    let mut value = json!({
        "id": m.id.as_str(), "type": m.channel.type_number(),
        "messageType": m.channel.message_type(), "locationId": m.location_id.as_str(),
        "contactId": m.contact_id.as_str(), "conversationId": m.conversation_id.as_str(),
        "dateAdded": m.date_added.to_rfc3339(), "dateUpdated": m.date_updated.to_rfc3339(),
        "body": m.body, "direction": m.direction.as_str(), "status": m.status.as_str(),
        "contentType": if c.html.is_some() { "text/html" } else { "text/plain" },
        "attachments": c.attachments, "source": m.source,
    });
    if let Some(map) = value.as_object_mut() {
        if let Ok(Value::Object(extra)) = serde_json::to_value(c) {
            for (key, field) in extra {
                if key != "attachments" {
                    map.insert(key, field);
                }
            }
        }
        if let Some(error) = &m.error {
            map.insert("error".into(), error.clone().into());
        }
    }
    value
}

async fn message_in(state: &AppState, location: &LocationId, raw: &str) -> ApiResult<Message> {
    let id = MessageId::parse(raw).map_err(|_| MESSAGE_NOT_FOUND)?;
    state
        .store
        .get_message(location, &id)
        .await?
        .ok_or(MESSAGE_NOT_FOUND)
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    Ok(ok(message_json(&message_in(&state, location, &id).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListParams {
    last_message_id: Option<String>,
    limit: Option<String>,
    #[serde(rename = "type")]
    types: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(conversation): ApiPath<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let conversation = conversation_in(&state, location, &conversation).await?;
    let limit = match params.limit {
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| invalid("limit", "must be a whole number from 1 to 100"))?,
        None => 20,
    };
    let before = match params.last_message_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            MessageId::parse(raw)
                .map_err(|_| invalid("lastMessageId", "must be a 20-character id"))?,
        ),
        None => None,
    };
    let types = params
        .types
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let query = MessageQuery {
        before,
        types,
        limit: limit + 1,
    };
    let mut messages = state
        .store
        .list_messages(location, &conversation.id, &query)
        .await?;
    let next_page = messages.len() > limit as usize;
    messages.truncate(limit as usize);
    let last = messages
        .last()
        .map(|m| m.id.to_string())
        .unwrap_or_default();
    let messages: Vec<Value> = messages.iter().map(message_json).collect();
    Ok(ok(
        json!({ "lastMessageId": last, "nextPage": next_page, "messages": messages }),
    ))
}

pub async fn send(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<SendBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let now = state.clock.now();
    let store = state.store.as_ref();
    let source = Source::Api(granted.grant().integration_id.clone());
    let message = messages::send(store, now, location, body.into(), source).await?;
    // After the commit: the worker then finds the message when it looks.
    state.outbox.wake();
    let mut answer = json!({
        "conversationId": message.conversation_id.as_str(),
        "messageId": message.id.as_str(),
        "msg": "Message queued for delivery",
        "status": message.status.as_str(),
    });
    if let (Channel::Email, Some(map)) = (message.channel, answer.as_object_mut()) {
        map.insert("emailMessageId".into(), message.id.as_str().into());
    }
    Ok(ok(answer))
}

pub async fn inbound(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<InboundBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let now = state.clock.now();
    let source = Source::Api(granted.grant().integration_id.clone());
    let message =
        messages::record_inbound(state.store.as_ref(), now, location, body.into(), source).await?;
    Ok(ok(json!({
        "success": true,
        "conversationId": message.conversation_id.as_str(),
        "messageId": message.id.as_str(),
        "message": "Message recorded",
        "contactId": message.contact_id.as_str(),
        "dateAdded": message.date_added.to_rfc3339(),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    status: Option<String>,
    error: Option<ProviderError>,
    #[expect(
        dead_code,
        reason = "accepted for compatibility; the message id is Ivorey's"
    )]
    email_message_id: Option<String>,
    #[expect(dead_code, reason = "accepted for compatibility")]
    recipients: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct ProviderError {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "type")]
    #[expect(dead_code, reason = "accepted for compatibility")]
    kind: Option<String>,
}

pub async fn update_status(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let status = match body.status.as_deref() {
        Some(s @ ("delivered" | "failed" | "read")) => MessageStatus::parse(s),
        _ => None,
    }
    .ok_or_else(|| invalid("status", "must be one of delivered, failed, read"))?;
    let message = message_in(&state, location, &id).await?;
    let error = match (status, &body.error) {
        (MessageStatus::Failed, Some(e)) => {
            let text = e
                .message
                .as_deref()
                .unwrap_or("failed")
                .chars()
                .take(500)
                .collect::<String>();
            Some(match &e.code {
                Some(code) => format!(
                    "provider error {}: {text}",
                    code.chars().take(50).collect::<String>()
                ),
                None => format!("provider error: {text}"),
            })
        }
        (MessageStatus::Failed, None) => Some("the provider reported a failure".to_owned()),
        _ => None,
    };
    if message.direction != Direction::Outbound && status == MessageStatus::Failed {
        return Err(invalid(
            "status",
            "failed applies only to outbound messages",
        ));
    }
    let updated = state
        .store
        .set_message_status(
            location,
            &message.id,
            status,
            error.as_deref(),
            state.clock.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => MESSAGE_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({
        "conversationId": updated.conversation_id.as_str(),
        "messageId": updated.id.as_str(),
        "status": updated.status.as_str(),
    })))
}
