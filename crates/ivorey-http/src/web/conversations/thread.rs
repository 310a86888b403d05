//! A conversation's thread: its messages oldest to newest (the newest 50, with a link to older
//! ones), inbound and outbound styled apart, each outbound message's delivery status, the
//! reply form and "Mark as read".
//!
//! Opening a thread does not mark it read: a GET changes nothing (link previews, prefetching
//! and a colleague peeking would otherwise clear what nobody has dealt with), so reading is
//! the explicit, CSRF-checked "Mark as read" button.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ivorey_core::Timestamp;
use ivorey_core::contact::Contact;
use ivorey_core::conversation::{Channel, Conversation, Direction, Message};
use ivorey_core::ids::MessageId;
use ivorey_store::MessageQuery;
use maud::{Markup, html};
use serde::Deserialize;

use super::{contact_name, deliverable, label, load, path, status_badge};
use crate::state::AppState;
use crate::web::attribution::Names;
use crate::web::auth::Viewer;
use crate::web::error::{WebError, WebResult};
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

/// Messages per page of the thread.
const PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    before: Option<String>,
    done: Option<String>,
}

/// Everything the thread page shows.
pub(crate) struct Thread {
    pub conversation: Conversation,
    pub contact: Option<Contact>,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// The id to pass as `before` for older messages, when there are some.
    pub older: Option<MessageId>,
    pub channels: Vec<Channel>,
    /// Who sent the outbound messages shown.
    pub senders: Names,
}

/// Reads the thread: the same `list_messages` as `GET /conversations/{id}/messages`.
pub(crate) async fn read(
    state: &AppState,
    shell: &Shell,
    conversation: Conversation,
    before: Option<MessageId>,
) -> WebResult<Thread> {
    let store = state.store.as_ref();
    let query = MessageQuery {
        before,
        types: Vec::new(),
        limit: PAGE + 1,
    };
    let mut messages = store
        .list_messages(&shell.location, &conversation.id, &query)
        .await?;
    let older = (messages.len() > PAGE as usize).then(|| {
        messages.truncate(PAGE as usize);
        messages.last().map(|m| m.id.clone())
    });
    messages.reverse();
    let contact = store
        .get_contact(&shell.location, &conversation.contact_id)
        .await?;
    let settings = store.messaging_settings(&shell.location).await?;
    let sent_by = messages
        .iter()
        .filter(|m| m.direction == Direction::Outbound)
        .filter_map(|m| m.sent_by.clone())
        .collect::<Vec<_>>();
    let senders = Names::of(state, shell, &sent_by).await?;
    Ok(Thread {
        conversation,
        contact,
        messages,
        older: older.flatten(),
        channels: deliverable(settings.as_ref()),
        senders,
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<Params>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let conversation = load(&state, &shell, &id).await?;
    let before = match params.before.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(MessageId::parse(raw).map_err(|_| {
            WebError::plain(
                StatusCode::BAD_REQUEST,
                "This link is not valid",
                "The page of older messages in this link could not be read.",
            )
        })?),
        None => None,
    };
    let thread = read(&state, &shell, conversation, before).await?;
    let done = params.done.as_deref();
    Ok(page(
        &shell,
        &thread,
        state.clock.now(),
        done,
        &FormData::default(),
        &Problems::none(),
    ))
}

pub(crate) fn page(
    shell: &Shell,
    t: &Thread,
    now: Timestamp,
    done: Option<&str>,
    form: &FormData,
    problems: &Problems,
) -> Markup {
    let c = &t.conversation;
    let name = t
        .contact
        .as_ref()
        .map_or_else(|| "Unknown contact".to_owned(), |k| contact_name(&k.fields));
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/conversations")) { "Conversations" } }
                li { a href=(path(shell, &c.id, "")) aria-current="page" { (name) } }
            }
        }
        div.page-head {
            div {
                h1 #thread-title { (name) }
                p.lede {
                    a #contact-link href=(shell.at(&format!("/contacts/{}", c.contact_id))) { "Open contact" }
                    @if let Some(k) = &t.contact {
                        @if let Some(email) = &k.fields.email { " · " (email) }
                        @if let Some(phone) = &k.fields.phone { " · " (phone) }
                    }
                }
            }
            @if c.unread_count > 0 {
                form #mark-read method="post" action=(path(shell, &c.id, "/read")) {
                    (shell.csrf())
                    button type="submit" { "Mark as read" }
                }
            } @else {
                span.badge.badge-ok #read-state { "Read" }
            }
        }
        @match done {
            Some("sent") => (notice(Tone::Success, html! { "Your reply is queued for delivery. Its status shows below." })),
            Some("read") => (notice(Tone::Success, html! { "The conversation is marked as read." })),
            _ => {},
        }
        @if c.unread_count > 0 {
            (notice(Tone::Info, html! { (c.unread_count) " unread. Opening a conversation does not mark it read; use Mark as read once it is dealt with." }))
        }
        section.card aria-labelledby="messages-title" {
            h2 #messages-title { "Messages" }
            @if let Some(older) = &t.older {
                p { a #older-messages href=(path(shell, &c.id, &format!("?before={older}"))) { "Show older messages" } }
            }
            @if t.messages.is_empty() {
                p.muted #no-messages { "No messages yet. Write the first one below." }
            } @else {
                ol #thread .thread {
                    @for m in &t.messages { (message(shell, &t.senders, m, now)) }
                }
            }
        }
        (reply_form(shell, t, form, problems))
    };
    shell.app_page(Area::Conversations, &name, content)
}

fn message(shell: &Shell, senders: &Names, m: &Message, now: Timestamp) -> Markup {
    let (class, who) = match (m.direction, m.source.as_str()) {
        (Direction::Inbound, _) => ("message message-inbound", "Received"),
        (Direction::Outbound, "web") => ("message message-outbound", "Sent from Ivorey"),
        (Direction::Outbound, _) => ("message message-outbound", "Sent by an integration"),
    };
    let named = m.direction == Direction::Outbound && senders.knows(m.sent_by.as_ref());
    html! {
        li class=(class) id={ "message-" (m.id) } data-direction=(m.direction.as_str()) {
            div.message-head {
                span.message-who {
                    @if named { (senders.line("Sent", m.sent_by.as_ref())) } @else { (who) }
                }
                span.badge.badge-channel { (label(m.channel)) }
                span.message-time { (shell.zone.when(m.date_added, now)) }
            }
            @if let Some(subject) = &m.content.subject {
                p.message-subject { strong { (subject) } }
            }
            p.message-body.pre-line { (m.body) }
            @if m.direction == Direction::Outbound {
                div.message-status { (status_badge(m.status, m.error.as_deref())) }
            }
        }
    }
}

const LABELS: &[(&str, &str)] = &[
    ("type", "Channel"),
    ("subject", "Subject"),
    ("message", "Message"),
];

pub(crate) fn labels() -> &'static [(&'static str, &'static str)] {
    LABELS
}

fn reply_form(shell: &Shell, t: &Thread, form: &FormData, problems: &Problems) -> Markup {
    let c = &t.conversation;
    let chosen = match form.get("type") {
        "" => c
            .last_message_type
            .filter(|l| t.channels.contains(l))
            .or(t.channels.first().copied()),
        raw => Channel::from_send_type(raw),
    };
    html! {
        section.card #reply aria-labelledby="reply-title" {
            h2 #reply-title { "Reply" }
            @if t.channels.is_empty() {
                p #no-provider {
                    "This business has no messaging provider yet, so replies cannot be sent. "
                    @if shell.is_admin() {
                        "Set up an SMTP server for Email or a webhook for SMS in "
                        a href=(shell.url("/messaging")) { "Settings > Messaging" } "."
                    } @else {
                        "Ask an admin of this business to set one up in Settings > Messaging."
                    }
                }
            } @else {
                (problems.summary())
                form #reply-form method="post" action=(path(shell, &c.id, "/reply")) {
                    (shell.csrf())
                    div.field.field-invalid[problems.field("type").is_some()] {
                        label for="f-type" { "Channel" }
                        select #f-type name="type" {
                            @for ch in &t.channels {
                                option value=(ch.send_type()) selected[chosen == Some(*ch)] { (label(*ch)) }
                            }
                        }
                        @if let Some(error) = problems.field("type") { p.error { (error) } }
                    }
                    (Input { label: "Subject (Email only)", name: "subject", value: form.get("subject"),
                        max_chars: Some(998), autocomplete: Some("off"),
                        hint: Some("Used when the channel is Email; ignored for SMS and Custom."),
                        ..Default::default() }.render(problems))
                    (Input { label: "Message", name: "message", value: form.get("message"),
                        kind: "textarea", required: true, max_chars: Some(65_536),
                        ..Default::default() }.render(problems))
                    div.actions { button.primary #send-reply type="submit" { "Send reply" } }
                }
            }
        }
    }
}
