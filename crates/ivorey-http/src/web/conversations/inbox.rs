//! The inbox: conversations with their contact, channel, last message, time and unread count;
//! unread first, then by last message; a GET form filters by channel; "Next page" links carry
//! the keyset cursor (`after=<unread 1|0>.<millis>.<id>`), so no page counts or skips rows.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ivorey_core::Timestamp;
use ivorey_core::conversation::{Channel, Direction};
use ivorey_core::ids::ConversationId;
use ivorey_store::{ConversationView, InboxCursor, InboxQuery};
use maud::{Markup, html};
use serde::Deserialize;

use super::{CHANNELS, contact_name, from_slug, label, path, slug};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::{WebError, WebResult};
use crate::web::frame::Area;
use crate::web::layout::icon;
use crate::web::shell::Shell;

/// Conversations per page.
const PAGE: u32 = 25;

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    channel: Option<String>,
    after: Option<String>,
}

fn bad_link() -> WebError {
    WebError::plain(
        StatusCode::BAD_REQUEST,
        "This inbox link is not valid",
        "The filter or page in this link could not be read. Open Conversations from the menu.",
    )
}

fn cursor_text(c: &InboxCursor) -> String {
    format!("{}.{}.{}", u8::from(c.unread), c.at.millis(), c.id)
}

fn parse_cursor(raw: &str) -> Option<InboxCursor> {
    let mut parts = raw.splitn(3, '.');
    let unread = match parts.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let at = Timestamp(parts.next()?.parse().ok()?);
    let id = ConversationId::parse(parts.next()?).ok()?;
    Some(InboxCursor { unread, at, id })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<Params>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let channel = match params.channel.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(from_slug(raw).ok_or_else(bad_link)?),
        None => None,
    };
    let after = match params.after.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(parse_cursor(raw).ok_or_else(bad_link)?),
        None => None,
    };
    let first_page = after.is_none();
    let query = InboxQuery {
        channel,
        after,
        limit: PAGE + 1,
    };
    let mut rows = state.store.inbox_page(&shell.location, &query).await?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|last| next_link(&shell, channel, &InboxCursor::after(&last.conversation)));
    let now = state.clock.now();
    let content = html! {
        div.page-head {
            div {
                h1 { "Conversations" }
                p.lede { "Unread conversations come first, then the rest by their last message." }
            }
        }
        (filter(&shell, channel))
        @if rows.is_empty() {
            (empty(&shell, channel, first_page))
        } @else {
            section.card.table-card aria-labelledby="inbox-title" {
                h2 #inbox-title .visually-hidden { "Conversations of " (shell.location_name) }
                ul #inbox .inbox-list {
                    @for row in &rows { (item(&shell, row, now)) }
                }
            }
            @if let Some(next) = next {
                nav.pager aria-label="Pages" {
                    @if !first_page {
                        a.button href=(first_link(&shell, channel)) { "First page" }
                    }
                    a.button #next-page href=(next) rel="next" { "Next page" }
                }
            } @else if !first_page {
                nav.pager aria-label="Pages" {
                    a.button href=(first_link(&shell, channel)) { "First page" }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Conversations, "Conversations", content))
}

fn first_link(shell: &Shell, channel: Option<Channel>) -> String {
    match channel {
        Some(c) => shell.at(&format!("/conversations?channel={}", slug(c))),
        None => shell.at("/conversations"),
    }
}

fn next_link(shell: &Shell, channel: Option<Channel>, cursor: &InboxCursor) -> String {
    let after = cursor_text(cursor);
    match channel {
        Some(c) => shell.at(&format!("/conversations?channel={}&after={after}", slug(c))),
        None => shell.at(&format!("/conversations?after={after}")),
    }
}

/// The channel filter: a GET form, so it works without JavaScript and the URL can be shared.
fn filter(shell: &Shell, channel: Option<Channel>) -> Markup {
    html! {
        form #channel-filter .filter-bar method="get" action=(shell.at("/conversations")) {
            div.field {
                label for="f-channel" { "Channel" }
                select #f-channel name="channel" {
                    option value="" selected[channel.is_none()] { "All channels" }
                    @for c in CHANNELS {
                        option value=(slug(c)) selected[channel == Some(c)] { (label(c)) }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
    }
}

fn empty(shell: &Shell, channel: Option<Channel>, first_page: bool) -> Markup {
    html! {
        section.card.empty #inbox-empty {
            div.empty-icon aria-hidden="true" { (icon("chat")) }
            @if !first_page {
                h2 { "No more conversations" }
                p { "You have reached the end of the inbox." }
                a.button href=(first_link(shell, channel)) { "First page" }
            } @else if let Some(c) = channel {
                h2 { "No " (label(c)) " conversations" }
                p { "No conversation's last message went by " (label(c)) ". Show all channels to see the others." }
                a.button href=(shell.at("/conversations")) { "All channels" }
            } @else {
                h2 { "No conversations yet" }
                p {
                    "Messages arrive here from your integrations: a tool connected through a \
                     Private Integration sends and records SMS, Email and custom messages with \
                     the API, and each contact's messages form one conversation. Once a \
                     conversation exists, you can reply to it from here."
                }
                @if shell.is_admin() {
                    a.button.primary href=(shell.url("/messaging")) { "Set up messaging" }
                }
            }
        }
    }
}

fn item(shell: &Shell, row: &ConversationView, now: Timestamp) -> Markup {
    let c = &row.conversation;
    let name = contact_name(&row.contact);
    let unread = c.unread_count > 0;
    let preview = c.last_message_body.as_deref().unwrap_or("");
    html! {
        li.inbox-item.unread[unread] id={ "conversation-" (c.id) } {
            a.inbox-link href=(path(shell, &c.id, "")) {
                span.inbox-who {
                    span.inbox-name { (name) }
                    @if let Some(channel) = c.last_message_type {
                        span.badge.badge-channel { (label(channel)) }
                    }
                    @if unread {
                        span.badge.badge-unread data-unread=(c.unread_count) {
                            (c.unread_count) span.visually-hidden { " unread" }
                        }
                    }
                }
                span.inbox-preview {
                    @if c.last_message_direction == Some(Direction::Outbound) {
                        span.muted { "You: " }
                    }
                    @if preview.is_empty() { span.muted { "No messages yet" } } @else { (preview) }
                }
                span.inbox-time { (shell.zone.when(c.last_activity_at, now)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_bad_ones_are_refused() {
        let cursor = InboxCursor {
            unread: true,
            at: Timestamp(1_733_250_000_000),
            id: ConversationId::generate(),
        };
        assert_eq!(parse_cursor(&cursor_text(&cursor)), Some(cursor));
        for bad in ["", "2.1.x", "1.notanumber.abc", "1.5", "0.5.short"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
