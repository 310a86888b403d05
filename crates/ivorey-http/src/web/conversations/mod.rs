//! Conversations: the inbox (unread first, then by last message; filter by channel; keyset
//! pages) and a conversation's thread with its reply form and "Mark as read". Every member of
//! the business may read and reply; the store calls are the public API's (`inbox_page` besides),
//! and a reply goes through `ivorey_app::messages::send` as `POST /conversations/messages` does.

pub(crate) mod inbox;
pub(crate) mod reply;
pub(crate) mod thread;

use axum::http::StatusCode;
use ivorey_core::contact::ContactFields;
use ivorey_core::conversation::{Channel, Conversation, MessageStatus};
use ivorey_core::ids::ConversationId;
use ivorey_core::messaging::MessagingSettings;
use maud::{Markup, html};

use super::error::{WebError, WebResult};
use super::shell::Shell;
use crate::state::AppState;

/// The channels in the order the filter and the reply form list them.
pub(crate) const CHANNELS: [Channel; 3] = [Channel::Sms, Channel::Email, Channel::Custom];

/// The channel's name in a URL (`?channel=sms`).
pub(crate) fn slug(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
        Channel::Custom => "custom",
    }
}

pub(crate) fn from_slug(raw: &str) -> Option<Channel> {
    CHANNELS.into_iter().find(|c| slug(*c) == raw)
}

/// What people call the channel.
pub(crate) fn label(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "SMS",
        Channel::Email => "Email",
        Channel::Custom => "Custom",
    }
}

/// The channels the location's providers can deliver: Email through SMTP, SMS and Custom
/// through the webhook.
pub(crate) fn deliverable(settings: Option<&MessagingSettings>) -> Vec<Channel> {
    let smtp = settings.is_some_and(|s| s.smtp.is_some());
    let webhook = settings.is_some_and(|s| s.webhook.is_some());
    CHANNELS
        .into_iter()
        .filter(|c| match c {
            Channel::Email => smtp,
            Channel::Sms | Channel::Custom => webhook,
        })
        .collect()
}

/// The contact as a person reads it: name, else email, else phone.
pub(crate) fn contact_name(k: &ContactFields) -> String {
    let full = [k.first_name.as_deref(), k.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [k.name.clone(), Some(full), k.email.clone(), k.phone.clone()]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Unnamed contact".to_owned())
}

/// An outbound message's delivery status, with the failure's reason beside it.
pub(crate) fn status_badge(status: MessageStatus, error: Option<&str>) -> Markup {
    let tone = match status {
        MessageStatus::Pending => "badge-warn",
        MessageStatus::Sent | MessageStatus::Read => "badge-info",
        MessageStatus::Delivered => "badge-ok",
        MessageStatus::Failed => "badge-danger",
    };
    let text = match status {
        MessageStatus::Pending => "Pending",
        MessageStatus::Sent => "Sent",
        MessageStatus::Delivered => "Delivered",
        MessageStatus::Read => "Read",
        MessageStatus::Failed => "Failed",
    };
    html! {
        span.delivery {
            span class={ "badge status " (tone) } data-status=(status.as_str()) { (text) }
            @if let (MessageStatus::Failed, Some(reason)) = (status, error) {
                span.failure-reason { (reason) }
            }
        }
    }
}

/// The conversation's page, `rest` after it.
pub(crate) fn path(shell: &Shell, id: &ConversationId, rest: &str) -> String {
    shell.at(&format!("/conversations/{id}{rest}"))
}

/// The conversation, if it is in the shell's location; another location's is "not found",
/// exactly like a missing one.
pub(crate) async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Conversation> {
    let missing = || {
        WebError::plain(
            StatusCode::NOT_FOUND,
            "Conversation not found",
            "There is no such conversation in this business. It may have been deleted with its contact.",
        )
    };
    let id = ConversationId::parse(raw).map_err(|_| missing())?;
    state
        .store
        .get_conversation(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}
