//! Conversations and messages: the thread with one contact, the messages in it (outbound ones
//! wait in an outbox until the delivery worker hands them to a provider), and their wire names.

use serde::{Deserialize, Serialize};

use crate::changed_by::ChangedBy;
use crate::ids::{ConversationId, MessageId};
use crate::{ContactId, LocationId, Timestamp};

/// The longest message text, subject or HTML body, in characters.
pub const MESSAGE_TEXT_MAX: usize = 64 * 1024;

/// A conversation with one contact (at most one per contact and location).
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: ConversationId,
    pub location_id: LocationId,
    pub contact_id: ContactId,
    pub unread_count: u32,
    pub starred: bool,
    pub last_message_body: Option<String>,
    pub last_message_type: Option<Channel>,
    pub last_message_direction: Option<Direction>,
    /// The last message's time, or the creation time before any message: the search's sort key.
    pub last_activity_at: Timestamp,
    pub has_messages: bool,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
}

impl Conversation {
    /// A new, empty conversation with `contact`.
    pub fn new(location: &LocationId, contact: &ContactId, now: Timestamp) -> Conversation {
        Conversation {
            id: ConversationId::generate(),
            location_id: location.clone(),
            contact_id: contact.clone(),
            unread_count: 0,
            starred: false,
            last_message_body: None,
            last_message_type: None,
            last_message_direction: None,
            last_activity_at: now,
            has_messages: false,
            date_added: now,
            date_updated: now,
        }
    }
}

/// How a message travels. `Custom` goes to the location's webhook provider, as `Sms` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Email,
    Custom,
}

impl Channel {
    /// The `type` of HighLevel's send body.
    pub fn from_send_type(s: &str) -> Option<Channel> {
        match s {
            "SMS" => Some(Channel::Sms),
            "Email" => Some(Channel::Email),
            "Custom" => Some(Channel::Custom),
            _ => None,
        }
    }

    pub fn send_type(self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Email => "Email",
            Channel::Custom => "Custom",
        }
    }

    /// HighLevel's `messageType` name, also the stored value.
    pub fn message_type(self) -> &'static str {
        match self {
            Channel::Sms => "TYPE_SMS",
            Channel::Email => "TYPE_EMAIL",
            Channel::Custom => "TYPE_CUSTOM_PROVIDER_SMS",
        }
    }

    pub fn from_message_type(s: &str) -> Option<Channel> {
        [Channel::Sms, Channel::Email, Channel::Custom]
            .into_iter()
            .find(|c| c.message_type() == s)
    }

    /// HighLevel's numeric message `type` (its MessageType enum order).
    pub fn type_number(self) -> u32 {
        match self {
            Channel::Sms => 2,
            Channel::Email => 3,
            Channel::Custom => 22,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// A message's delivery status, in HighLevel's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting in the outbox for the delivery worker.
    Pending,
    /// Accepted by the provider.
    Sent,
    /// The provider confirmed delivery.
    Delivered,
    Read,
    /// Every attempt failed; `Message::error` says why.
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        [
            MessageStatus::Pending,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Failed,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// What a message carries besides its text: addresses and email parts. Stored as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageContent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_from: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_cc: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_bcc: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_number: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub location_id: LocationId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub channel: Channel,
    pub direction: Direction,
    pub status: MessageStatus,
    pub body: String,
    pub content: MessageContent,
    /// `api` for messages sent or recorded through the public API.
    pub source: String,
    /// Why delivery failed (or the last attempt's error while retrying); never a secret.
    pub error: Option<String>,
    pub attempts: u32,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
    /// Who sent it (outbound) or recorded it through the API (inbound): attribution, not in
    /// the API's shape. `None` for an inbound message from the provider's own webhook.
    pub sent_by: Option<ChangedBy>,
}

impl Message {
    /// The text shown as the conversation's last message: the body, or an email's subject.
    pub fn preview(&self) -> String {
        if self.body.is_empty() {
            self.content.subject.clone().unwrap_or_default()
        } else {
            self.body.chars().take(500).collect()
        }
    }
}
