//! The dashboard's view of the day: today's appointments across the calendars (each time in its
//! calendar's zone, "today" on the business's clock), and the latest form submissions with
//! their contacts.

use ivorey_core::calendar::Calendar;
use ivorey_core::form::{Form, Submission};
use ivorey_core::wall_clock::LocalDate;
use ivorey_store::{AgendaItem, SubmissionQuery};
use maud::{Markup, html};

use crate::state::AppState;
use crate::web::calendars::{agenda_item, zone_of};
use crate::web::error::WebResult;
use crate::web::shell::Shell;

const APPOINTMENTS_SHOWN: u32 = 8;
const SUBMISSIONS_SHOWN: u32 = 5;

/// Today's appointments, calendar by calendar, at most `APPOINTMENTS_SHOWN` in all.
pub(crate) async fn appointments(
    state: &AppState,
    shell: &Shell,
) -> WebResult<Vec<(Calendar, Vec<AgendaItem>)>> {
    let store = state.store.as_ref();
    let today = LocalDate::of(state.clock.now(), Some(shell.zone.label()));
    let mut found = Vec::new();
    let mut left = APPOINTMENTS_SHOWN;
    for calendar in store.list_calendars(&shell.location).await? {
        if left == 0 {
            break;
        }
        let zone = Some(calendar.time_zone.as_str());
        let window = (today.start(zone), today.plus_days(1).start(zone));
        let items = store
            .agenda(&shell.location, &calendar.id, window, left)
            .await?;
        left = left.saturating_sub(u32::try_from(items.len()).unwrap_or(u32::MAX));
        if !items.is_empty() {
            found.push((calendar, items));
        }
    }
    Ok(found)
}

pub(crate) fn appointments_card(shell: &Shell, found: &[(Calendar, Vec<AgendaItem>)]) -> Markup {
    html! {
        section.card aria-labelledby="today-title" {
            div.card-head {
                h2 #today-title { "Today's appointments" }
                a.link href=(shell.at("/calendars")) { "Calendars" }
            }
            @if found.is_empty() {
                p.muted { "No appointments today. Book one from a calendar, or let a tool book its free slots." }
            }
            @for (calendar, items) in found {
                h3.small { (calendar.name) }
                ul.agenda {
                    @for item in items { (agenda_item(shell, &zone_of(calendar), item)) }
                }
            }
        }
    }
}

/// The latest submissions to any form, with the forms they came to.
pub(crate) async fn submissions(
    state: &AppState,
    shell: &Shell,
) -> WebResult<(Vec<Submission>, Vec<Form>)> {
    let store = state.store.as_ref();
    let query = SubmissionQuery {
        form_id: None,
        from: None,
        until: None,
        query: None,
        offset: 0,
        limit: SUBMISSIONS_SHOWN,
    };
    let found = store.list_submissions(&shell.location, &query).await?;
    let (forms, _) = store.list_forms(&shell.location, 0, 100).await?;
    Ok((found.submissions, forms))
}

pub(crate) fn submissions_card(
    shell: &Shell,
    (found, forms): &(Vec<Submission>, Vec<Form>),
    now: ivorey_core::Timestamp,
) -> Markup {
    html! {
        section.card aria-labelledby="submissions-title" {
            div.card-head {
                h2 #submissions-title { "Recent form submissions" }
                a.link href=(shell.at("/forms")) { "Forms" }
            }
            @if found.is_empty() {
                p.muted { "Nothing submitted yet. Share a form's link or embed it on your website." }
            } @else {
                ul.feed {
                    @for s in found {
                        li {
                            a href=(shell.at(&format!("/contacts/{}", s.contact_id))) {
                                strong { (s.name.clone().or_else(|| s.email.clone()).unwrap_or_else(|| "A contact".into())) }
                            }
                            @if let Some(form) = forms.iter().find(|f| f.id == s.form_id) {
                                " sent " a href=(shell.at(&format!("/forms/{}/submissions", form.id))) { (form.name) }
                            }
                            span.muted { ", " (shell.zone.when(s.created_at, now)) }
                        }
                    }
                }
            }
        }
    }
}
