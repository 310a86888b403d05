//! The bodies of `POST /conversations/messages` and `/messages/inbound`, validated into a
//! `Message`: the contact must be in the token's location, an SMS needs a phone number (the
//! contact's or `toNumber`) and an Email an address (the contact's or `emailTo`).

use ivorey_core::conversation::{
    Channel, Direction, MESSAGE_TEXT_MAX, Message, MessageContent, MessageStatus,
};
use ivorey_core::error::bounded_text;
use ivorey_core::ids::MessageId;
use ivorey_core::{ContactId, LocationId, ValidationErrors};
use serde::Deserialize;
use serde_json::Value;

use super::conversations::conversation_in;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const UNSUPPORTED: &str = "is not supported: Ivorey sends SMS, Email and Custom messages";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    contact_id: Option<String>,
    message: Option<String>,
    html: Option<String>,
    subject: Option<String>,
    email_to: Option<String>,
    email_from: Option<String>,
    #[serde(default)]
    email_cc: Vec<String>,
    #[serde(default)]
    email_bcc: Vec<String>,
    to_number: Option<String>,
    from_number: Option<String>,
    #[serde(default)]
    attachments: Vec<String>,
    /// Required by upstream's schema; the outbox decides the status, so these are ignored.
    #[expect(dead_code, reason = "accepted and ignored, as documented")]
    status: Option<Value>,
    #[expect(dead_code, reason = "accepted and ignored, as documented")]
    sub_type: Option<Value>,
    #[expect(dead_code, reason = "accepted and ignored: one provider per channel")]
    conversation_provider_id: Option<String>,
}

fn email(errors: &mut ValidationErrors, field: &'static str, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if raw.parse::<lettre::Address>().is_ok() {
        Some(raw.to_owned())
    } else {
        errors.add(field, "must be an email address");
        None
    }
}

fn phone(errors: &mut ValidationErrors, field: &'static str, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if allowed && (5..=20).contains(&digits) {
        Some(raw.to_owned())
    } else {
        errors.add(field, "must be a phone number");
        None
    }
}

fn text(errors: &mut ValidationErrors, field: &'static str, raw: Option<&str>) -> Option<String> {
    bounded_text(errors, field, raw?, MESSAGE_TEXT_MAX, false)
}

fn channel(errors: &mut ValidationErrors, kind: Option<&str>) -> Option<Channel> {
    match kind {
        None => errors.add("type", "is required"),
        Some(k) => match Channel::from_send_type(k) {
            Some(c) => return Some(c),
            None => errors.add("type", format!("{k:?} {UNSUPPORTED}")),
        },
    }
    None
}

fn contact_id(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<ContactId> {
    match raw.map(str::trim).map(ContactId::parse) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.add("contactId", "must be the id of a contact of this location");
            None
        }
    }
}

/// The common part of both bodies: every field problem at once.
struct Parsed {
    channel: Channel,
    contact: ContactId,
    body: String,
    content: MessageContent,
}

impl SendBody {
    pub async fn into_message(self, state: &AppState, location: &LocationId) -> ApiResult<Message> {
        let mut e = ValidationErrors::new();
        let channel = channel(&mut e, self.kind.as_deref());
        let contact = contact_id(&mut e, self.contact_id.as_deref());
        let mut content = MessageContent {
            subject: text(&mut e, "subject", self.subject.as_deref()),
            html: text(&mut e, "html", self.html.as_deref()),
            email_to: email(&mut e, "emailTo", self.email_to.as_deref()),
            email_from: email(&mut e, "emailFrom", self.email_from.as_deref()),
            email_cc: self
                .email_cc
                .iter()
                .filter_map(|a| email(&mut e, "emailCc", Some(a)))
                .collect(),
            email_bcc: self
                .email_bcc
                .iter()
                .filter_map(|a| email(&mut e, "emailBcc", Some(a)))
                .collect(),
            to_number: phone(&mut e, "toNumber", self.to_number.as_deref()),
            from_number: phone(&mut e, "fromNumber", self.from_number.as_deref()),
            attachments: self.attachments,
        };
        let body = text(&mut e, "message", self.message.as_deref()).unwrap_or_default();
        let (Some(channel), Some(contact)) = (channel, contact) else {
            return Err(e.into());
        };
        if !e.is_empty() {
            return Err(e.into());
        }
        let found = state.store.get_contact(location, &contact).await?;
        let Some(found) = found else {
            return Err(ValidationErrors::single(
                "contactId",
                "must be the id of a contact of this location",
            )
            .into());
        };
        match channel {
            Channel::Email => {
                if content.email_to.is_none() {
                    content.email_to = found.fields.email.clone();
                }
                if content.email_to.is_none() {
                    e.add("emailTo", "is required: the contact has no email address");
                }
                if body.is_empty() && content.html.is_none() {
                    e.add("message", "or html is required");
                }
            }
            Channel::Sms | Channel::Custom => {
                if content.to_number.is_none() {
                    content.to_number = found.fields.phone.clone();
                }
                if channel == Channel::Sms && content.to_number.is_none() {
                    e.add("toNumber", "is required: the contact has no phone number");
                }
                if body.is_empty() {
                    e.add("message", "is required");
                }
            }
        }
        e.finish(())?;
        Ok(new_message(
            state,
            location,
            Parsed {
                channel,
                contact,
                body,
                content,
            },
            Direction::Outbound,
        ))
    }
}

fn new_message(
    state: &AppState,
    location: &LocationId,
    p: Parsed,
    direction: Direction,
) -> Message {
    let now = state.clock.now();
    let status = match direction {
        Direction::Outbound => MessageStatus::Pending,
        Direction::Inbound => MessageStatus::Delivered,
    };
    Message {
        id: MessageId::generate(),
        location_id: location.clone(),
        // Replaced by the store with the contact's conversation.
        conversation_id: ivorey_core::ids::ConversationId::generate(),
        contact_id: p.contact,
        channel: p.channel,
        direction,
        status,
        body: p.body,
        content: p.content,
        source: "api".into(),
        error: None,
        attempts: 0,
        date_added: now,
        date_updated: now,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboundBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    conversation_id: Option<String>,
    contact_id: Option<String>,
    message: Option<String>,
    html: Option<String>,
    subject: Option<String>,
    email_from: Option<String>,
    email_to: Option<String>,
    #[serde(default)]
    email_cc: Vec<String>,
    #[serde(default)]
    email_bcc: Vec<String>,
    #[serde(default)]
    attachments: Vec<String>,
    direction: Option<String>,
    #[expect(dead_code, reason = "accepted and ignored: one provider per channel")]
    conversation_provider_id: Option<String>,
    #[expect(dead_code, reason = "accepted for compatibility")]
    alt_id: Option<String>,
    #[expect(dead_code, reason = "accepted for compatibility")]
    email_message_id: Option<String>,
}

impl InboundBody {
    pub async fn into_message(self, state: &AppState, location: &LocationId) -> ApiResult<Message> {
        let mut e = ValidationErrors::new();
        let channel = channel(&mut e, self.kind.as_deref());
        let contact = contact_id(&mut e, self.contact_id.as_deref());
        if !matches!(self.direction.as_deref(), None | Some("inbound")) {
            e.add("direction", "must be inbound on this endpoint");
        }
        let content = MessageContent {
            subject: text(&mut e, "subject", self.subject.as_deref()),
            html: text(&mut e, "html", self.html.as_deref()),
            email_to: email(&mut e, "emailTo", self.email_to.as_deref()),
            email_from: email(&mut e, "emailFrom", self.email_from.as_deref()),
            email_cc: self
                .email_cc
                .iter()
                .filter_map(|a| email(&mut e, "emailCc", Some(a)))
                .collect(),
            email_bcc: self
                .email_bcc
                .iter()
                .filter_map(|a| email(&mut e, "emailBcc", Some(a)))
                .collect(),
            attachments: self.attachments,
            ..MessageContent::default()
        };
        let body = text(&mut e, "message", self.message.as_deref()).unwrap_or_default();
        if body.is_empty() && content.html.is_none() {
            e.add("message", "is required");
        }
        let raw_conversation = self.conversation_id.unwrap_or_default();
        let (Some(channel), Some(contact)) = (channel, contact) else {
            return Err(e.into());
        };
        e.finish(())?;
        let conversation = conversation_in(state, location, &raw_conversation)
            .await
            .map_err(|err| match err {
                ApiError::NotFound(_) => ApiError::Unprocessable(vec![
                    "conversationId must be the id of a conversation of this location".into(),
                ]),
                other => other,
            })?;
        if conversation.contact_id != contact {
            return Err(ValidationErrors::single(
                "contactId",
                "must be the conversation's contact",
            )
            .into());
        }
        Ok(new_message(
            state,
            location,
            Parsed {
                channel,
                contact,
                body,
                content,
            },
            Direction::Inbound,
        ))
    }
}
