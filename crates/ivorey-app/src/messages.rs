//! Sending a message and recording an inbound one, for the public API
//! (`POST /conversations/messages`, `/messages/inbound`) and the web app's reply form alike:
//! the contact must be in the location, an SMS needs a phone number (the contact's or
//! `toNumber`) and an Email an address (the contact's or `emailTo`). A sent message is stored
//! `pending` in the outbox; the caller wakes the delivery worker once this returns.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::conversation::{
    Channel, Conversation, Direction, MESSAGE_TEXT_MAX, Message, MessageContent, MessageStatus,
};
use ivorey_core::error::bounded_text;
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::{ContactId, IntegrationId, LocationId, Timestamp, UserId, ValidationErrors};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

const UNSUPPORTED: &str = "is not supported: Ivorey sends SMS, Email and Custom messages";
const NOT_A_CONTACT: &str = "must be the id of a contact of this location";

/// An outbound message as a client describes it; every field unchecked.
#[derive(Debug, Default)]
pub struct SendInput {
    /// `SMS`, `Email` or `Custom`.
    pub kind: Option<String>,
    pub contact_id: Option<String>,
    pub message: Option<String>,
    pub html: Option<String>,
    pub subject: Option<String>,
    pub email_to: Option<String>,
    pub email_from: Option<String>,
    pub email_cc: Vec<String>,
    pub email_bcc: Vec<String>,
    pub to_number: Option<String>,
    pub from_number: Option<String>,
    pub attachments: Vec<String>,
}

/// An inbound message an integration records in an existing conversation.
#[derive(Debug, Default)]
pub struct InboundInput {
    pub kind: Option<String>,
    pub conversation_id: Option<String>,
    pub contact_id: Option<String>,
    pub message: Option<String>,
    pub html: Option<String>,
    pub subject: Option<String>,
    pub email_from: Option<String>,
    pub email_to: Option<String>,
    pub email_cc: Vec<String>,
    pub email_bcc: Vec<String>,
    pub attachments: Vec<String>,
    /// Only `inbound` (or nothing) is accepted.
    pub direction: Option<String>,
}

/// Where a message came from, and who sent it: `api` (an integration) or `web` (a reply a
/// team member typed in the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Api(IntegrationId),
    Web(UserId),
}

impl Source {
    fn as_str(&self) -> &'static str {
        match self {
            Source::Api(_) => "api",
            Source::Web(_) => "web",
        }
    }

    fn changer(&self) -> ChangedBy {
        match self {
            Source::Api(id) => ChangedBy::Integration(id.clone()),
            Source::Web(id) => ChangedBy::User(id.clone()),
        }
    }
}

/// `raw` if it is an email address (blank is absent).
pub fn email(
    errors: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if raw.parse::<lettre::Address>().is_ok() {
        Some(raw.to_owned())
    } else {
        errors.add(field, "must be an email address");
        None
    }
}

/// `raw` if it is a phone number: 5 to 20 digits, with spaces, `+-().` allowed.
pub fn phone(
    errors: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
) -> Option<String> {
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
            errors.add("contactId", NOT_A_CONTACT);
            None
        }
    }
}

fn addresses(errors: &mut ValidationErrors, field: &'static str, raw: &[String]) -> Vec<String> {
    raw.iter()
        .filter_map(|a| email(errors, field, Some(a)))
        .collect()
}

/// Validates `input`, fills the contact's address or number when none is given, and stores
/// the message `pending` in the contact's conversation (created when it has none).
pub async fn send(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: SendInput,
    source: Source,
) -> AppResult<Message> {
    let mut e = ValidationErrors::new();
    let channel = channel(&mut e, input.kind.as_deref());
    let contact = contact_id(&mut e, input.contact_id.as_deref());
    let mut content = MessageContent {
        subject: text(&mut e, "subject", input.subject.as_deref()),
        html: text(&mut e, "html", input.html.as_deref()),
        email_to: email(&mut e, "emailTo", input.email_to.as_deref()),
        email_from: email(&mut e, "emailFrom", input.email_from.as_deref()),
        email_cc: addresses(&mut e, "emailCc", &input.email_cc),
        email_bcc: addresses(&mut e, "emailBcc", &input.email_bcc),
        to_number: phone(&mut e, "toNumber", input.to_number.as_deref()),
        from_number: phone(&mut e, "fromNumber", input.from_number.as_deref()),
        attachments: input.attachments,
    };
    let body = text(&mut e, "message", input.message.as_deref()).unwrap_or_default();
    let (Some(channel), Some(contact)) = (channel, contact) else {
        return Err(e.into());
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let Some(found) = store.get_contact(location, &contact).await? else {
        return Err(AppError::invalid("contactId", NOT_A_CONTACT));
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
    let parsed = Parsed {
        channel,
        contact,
        body,
        content,
    };
    record(
        store,
        new_message(now, location, parsed, Direction::Outbound, source),
    )
    .await
}

/// Validates `input` and stores it in its conversation, counted as unread; `source` is the
/// integration that recorded it.
pub async fn record_inbound(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: InboundInput,
    source: Source,
) -> AppResult<Message> {
    let mut e = ValidationErrors::new();
    let channel = channel(&mut e, input.kind.as_deref());
    let contact = contact_id(&mut e, input.contact_id.as_deref());
    if !matches!(input.direction.as_deref(), None | Some("inbound")) {
        e.add("direction", "must be inbound on this endpoint");
    }
    let content = MessageContent {
        subject: text(&mut e, "subject", input.subject.as_deref()),
        html: text(&mut e, "html", input.html.as_deref()),
        email_to: email(&mut e, "emailTo", input.email_to.as_deref()),
        email_from: email(&mut e, "emailFrom", input.email_from.as_deref()),
        email_cc: addresses(&mut e, "emailCc", &input.email_cc),
        email_bcc: addresses(&mut e, "emailBcc", &input.email_bcc),
        attachments: input.attachments,
        ..MessageContent::default()
    };
    let body = text(&mut e, "message", input.message.as_deref()).unwrap_or_default();
    if body.is_empty() && content.html.is_none() {
        e.add("message", "is required");
    }
    let (Some(channel), Some(contact)) = (channel, contact) else {
        return Err(e.into());
    };
    e.finish(())?;
    let no_conversation = || {
        AppError::invalid(
            "conversationId",
            "must be the id of a conversation of this location",
        )
    };
    let raw = input.conversation_id.unwrap_or_default();
    let id = ConversationId::parse(&raw).map_err(|_| no_conversation())?;
    let conversation = store
        .get_conversation(location, &id)
        .await?
        .ok_or_else(no_conversation)?;
    if conversation.contact_id != contact {
        return Err(AppError::invalid(
            "contactId",
            "must be the conversation's contact",
        ));
    }
    let parsed = Parsed {
        channel,
        contact,
        body,
        content,
    };
    let message = new_message(now, location, parsed, Direction::Inbound, source);
    record(store, message).await
}

/// The common part of both inputs, once valid.
struct Parsed {
    channel: Channel,
    contact: ContactId,
    body: String,
    content: MessageContent,
}

fn new_message(
    now: Timestamp,
    location: &LocationId,
    p: Parsed,
    direction: Direction,
    source: Source,
) -> Message {
    let status = match direction {
        Direction::Outbound => MessageStatus::Pending,
        Direction::Inbound => MessageStatus::Delivered,
    };
    Message {
        id: MessageId::generate(),
        location_id: location.clone(),
        // Replaced by the store with the contact's conversation.
        conversation_id: ConversationId::generate(),
        contact_id: p.contact,
        channel: p.channel,
        direction,
        status,
        body: p.body,
        content: p.content,
        source: source.as_str().into(),
        error: None,
        attempts: 0,
        date_added: now,
        date_updated: now,
        sent_by: Some(source.changer()),
    }
}

/// Stores `message` in its contact's conversation (created when it has none).
async fn record(store: &dyn Store, message: Message) -> AppResult<Message> {
    let fresh = Conversation::new(
        &message.location_id,
        &message.contact_id,
        message.date_added,
    );
    store
        .add_message(&message, &fresh)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::invalid("contactId", NOT_A_CONTACT),
            other => other.into(),
        })
}
