//! The dashboard, where sign-in lands: new contacts, unread conversations, the open value of the
//! deals by stage, today's appointments and tasks, the latest form submissions, what the
//! business's integrations did recently and their API requests per day.

mod pipeline;
mod today;

use axum::extract::{Path, State};
use ivorey_core::Timestamp;
use ivorey_core::contact_search::{Comparison, ContactSearch, Filter, SortField};
use ivorey_store::{ConversationQuery, TaskDue};
use maud::{Markup, html};

use super::attribution;
use super::auth::Viewer;
use super::error::WebResult;
use super::format;
use super::frame::Area;
use super::layout::icon;
use super::shell::Shell;
use super::usage::{UsageSummary, chart};
use crate::state::AppState;

const DAY_MS: i64 = 86_400_000;
const CHART_DAYS: i64 = 30;
const TASKS_SHOWN: u32 = 8;
const ACTIVITY_SHOWN: u32 = 10;

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let store = state.store.as_ref();
    let now = state.clock.now();
    let zone = store
        .get_location(&shell.location)
        .await?
        .and_then(|l| l.profile.timezone);
    let new_week = new_contacts(&state, &shell, Timestamp(now.0 - 7 * DAY_MS)).await?;
    let new_month = new_contacts(&state, &shell, Timestamp(now.0 - 30 * DAY_MS)).await?;
    let unread = store
        .search_conversations(
            &shell.location,
            &ConversationQuery {
                unread: Some(true),
                limit: 1,
                ..ConversationQuery::default()
            },
        )
        .await?
        .total;
    let end_of_today = now.end_of_day_in(zone.as_deref());
    let tasks = store
        .open_tasks_due(&shell.location, end_of_today, TASKS_SHOWN)
        .await?;
    let deals = pipeline::open_by_stage(&state, &shell).await?;
    let appointments = today::appointments(&state, &shell).await?;
    let submissions = today::submissions(&state, &shell).await?;
    let integrations = store.list_integrations(&shell.location, now).await?;
    let activity =
        attribution::recent_by_integrations(&state, &shell, &integrations, ACTIVITY_SHOWN).await?;
    state.usage.flush(store).await;
    let from_day = now.day() - CHART_DAYS + 1;
    let mut daily: Vec<(i64, u64)> = (from_day..=now.day()).map(|d| (d, 0)).collect();
    for (day, count) in store.location_usage(&shell.location, from_day).await? {
        if let Some(slot) = daily.iter_mut().find(|(d, _)| *d == day) {
            slot.1 = count;
        }
    }
    let usage = UsageSummary {
        last_used_at: None,
        daily,
        by_scope: Default::default(),
    };
    let content = html! {
        div.page-head {
            div {
                h1 { "Dashboard" }
                p.lede { "What is happening at " (shell.location_name) " and what your integrations did." }
            }
            a.button.primary href=(shell.at("/contacts/new")) { (icon("plus")) "Add contact" }
        }
        section.stats aria-label="At a glance" {
            a.stat.card href=(shell.at("/contacts")) {
                span.stat-label { "New contacts, 7 days" }
                span.stat-value { (count(new_week)) }
                span.stat-more { (count(new_month)) " in 30 days" }
            }
            a.stat.card href=(shell.at("/conversations")) {
                span.stat-label { "Unread conversations" }
                span.stat-value { (unread) }
                span.stat-more { "Open the inbox" }
            }
            a.stat.card href=(shell.at("/opportunities")) {
                span.stat-label { "Open deal value" }
                span.stat-value { (super::opportunities::money(deals.as_ref().map_or(0, |(_, t)| pipeline::open_value(t)))) }
                span.stat-more { (deals.as_ref().map_or("No pipeline yet", |(p, _)| p.name.as_str())) }
            }
        }
        (pipeline::card(&shell, deals.as_ref()))
        div.columns {
            (today::appointments_card(&shell, &appointments))
            (tasks_card(&shell, &tasks, now, end_of_today))
        }
        div.columns {
            (today::submissions_card(&shell, &submissions, now))
            section.card aria-labelledby="activity-title" {
                h2 #activity-title { "Recent activity by integrations" }
                @if activity.is_empty() {
                    p.muted {
                        "When a tool connected through a Private Integration creates or changes \
                         contacts, you will see it here."
                    }
                } @else {
                    (attribution::feed(&shell, &activity, now, true))
                }
            }
        }
        section.card aria-labelledby="api-title" {
            div.card-head {
                h2 #api-title { "API requests per day" }
                @if shell.is_admin() {
                    a.link href=(shell.url("/integrations")) { "Private Integrations" }
                }
            }
            @if usage.total() == 0 {
                p.muted {
                    "No integration has called the API in the last 30 days. Create a Private \
                     Integration in Settings and give its token to the tool you want to connect."
                }
            }
            (chart(&usage))
        }
    };
    Ok(shell.app_page(Area::Dashboard, "Dashboard", content))
}

/// Contacts added since `since`, counted up to the search's cap.
async fn new_contacts(state: &AppState, shell: &Shell, since: Timestamp) -> WebResult<u64> {
    let search = ContactSearch {
        filters: vec![Filter::DateAdded(Comparison::Gte, since)],
        query: None,
        sort: SortField::DateAdded,
        descending: true,
        after: None,
        offset: 0,
        limit: 1,
    };
    Ok(state
        .store
        .search_contacts(&shell.location, &search)
        .await?
        .total)
}

/// A count, with "+" once it reaches the search's cap.
fn count(n: u64) -> String {
    if n >= ivorey_core::contact_search::TOTAL_CAP {
        format!("{}+", format::number(n))
    } else {
        format::number(n)
    }
}

fn tasks_card(shell: &Shell, tasks: &[TaskDue], now: Timestamp, end: Timestamp) -> Markup {
    let start_of_today = Timestamp(end.0 - DAY_MS);
    html! {
        section.card aria-labelledby="tasks-title" {
            h2 #tasks-title { "Tasks due today" }
            @if tasks.is_empty() {
                p.muted { "Nothing is due today. Add tasks on a contact's page to be reminded here." }
            } @else {
                ul.task-list {
                    @for t in tasks {
                        li {
                            a href=(shell.at(&format!("/contacts/{}#tasks", t.task.contact_id))) {
                                (t.task.title)
                            }
                            span.muted { " · " (t.contact.display_name()) }
                            @if t.task.due_date < start_of_today {
                                " " span.badge.badge-danger { "Overdue " (format::relative(t.task.due_date, now)) }
                            } @else {
                                " " span.badge { "Due " (shell.zone.time_of_day(t.task.due_date)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
