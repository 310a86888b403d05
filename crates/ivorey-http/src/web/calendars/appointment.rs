//! An appointment's page: when (in its calendar's zone), with whom, its status and notes; and
//! its changes: confirm, mark showed or no-show, cancel (which frees the time), reschedule to
//! another free slot of its calendar, and edit the notes. Each goes through
//! `ivorey_app::calendars::change`, as `PUT /calendars/events/appointments/{id}` does.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::calendars;
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{
    Appointment, AppointmentInput, AppointmentStatus, TimeInput,
};
use ivorey_core::ids::AppointmentId;
use ivorey_core::wall_clock::LocalDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::book::{refusal_status, slot_choices, slots_on};
use super::{day_label, status_badge, status_label, zone_of};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::forms::{Input, Problems};
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

const LABELS: &[(&str, &str)] = &[("startTime", "Time"), ("description", "Notes")];

/// The statuses a person sets by hand, with their buttons' words.
const MARKS: [(AppointmentStatus, &str); 3] = [
    (AppointmentStatus::Confirmed, "Mark confirmed"),
    (AppointmentStatus::Showed, "Mark showed"),
    (AppointmentStatus::Noshow, "Mark no-show"),
];

fn missing() -> WebError {
    WebError::plain(
        StatusCode::NOT_FOUND,
        "Appointment not found",
        "This appointment does not exist. It may have been deleted.",
    )
}

/// The location's appointment in the path and its calendar.
async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<(Appointment, Calendar)> {
    let id = AppointmentId::parse(raw).map_err(|_| missing())?;
    let store = state.store.as_ref();
    let found = store.get_appointment(&shell.location, &id).await?;
    let appointment = found.ok_or_else(missing)?;
    let calendar = store
        .get_calendar(&shell.location, &appointment.calendar_id)
        .await?
        .ok_or_else(missing)?;
    Ok((appointment, calendar))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShowParams {
    #[serde(default)]
    done: String,
    /// The day whose free slots the reschedule form offers.
    #[serde(default)]
    date: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<ShowParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let (appointment, calendar) = load(&state, &shell, &id).await?;
    let done = match params.done.as_str() {
        "booked" => Some("The appointment was booked."),
        "status" => Some("The status was changed."),
        "moved" => Some("The appointment was moved."),
        "notes" => Some("The notes were saved."),
        _ => None,
    };
    let zone = Some(calendar.time_zone.as_str());
    let day = LocalDate::parse(&params.date).unwrap_or(LocalDate::of(appointment.start, zone));
    let none = Problems::none();
    page(&state, &shell, &appointment, &calendar, day, done, &none).await
}

async fn page(
    state: &AppState,
    shell: &Shell,
    a: &Appointment,
    calendar: &Calendar,
    day: LocalDate,
    done: Option<&str>,
    problems: &Problems,
) -> WebResult<Markup> {
    let contact = state
        .store
        .get_contact(&shell.location, &a.contact_id)
        .await?;
    let slots = slots_on(state, calendar, day).await?;
    let zone = zone_of(calendar);
    let action = shell.at(&format!("/appointments/{}", a.id));
    let week = shell.at(&format!(
        "/calendars/{}?week={}",
        calendar.id,
        LocalDate::of(a.start, Some(&calendar.time_zone))
    ));
    let cancelled = a.status == AppointmentStatus::Cancelled;
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/calendars")) { "Calendars" } }
                li { a href=(week) { (calendar.name) } }
            }
        }
        div.page-head { h1 { (a.title) " " (status_badge(a.status)) } }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        (problems.summary())
        div.columns {
            section.card aria-labelledby="when-title" {
                h2 #when-title { "When and who" }
                dl.facts {
                    dt { "When" } dd { (zone.date_time(a.start)) " to " (zone.time_of_day(a.end)) }
                    dt { "With" }
                    dd {
                        @match &contact {
                            Some(c) => a href=(shell.at(&format!("/contacts/{}", c.id))) { (c.fields.display_name()) },
                            None => "A deleted contact",
                        }
                    }
                    dt { "Calendar" } dd { a href=(week) { (calendar.name) } }
                    dt { "Status" } dd { (status_label(a.status)) }
                }
            }
            section.card aria-labelledby="status-title" {
                h2 #status-title { "Status" }
                div.actions.left {
                    @for (status, label) in MARKS {
                        @if a.status != status {
                            form.inline method="post" action={ (action) "/status" } {
                                (shell.csrf())
                                input type="hidden" name="status" value=(status.as_str());
                                button type="submit" { (label) }
                            }
                        }
                    }
                }
                @if !cancelled {
                    form method="post" action={ (action) "/status" } {
                        (shell.csrf())
                        input type="hidden" name="status" value="cancelled";
                        p.hint { "Cancelling frees the time for someone else." }
                        button.danger-outline type="submit" { "Cancel appointment" }
                    }
                }
            }
        }
        section.card aria-labelledby="move-title" {
            h2 #move-title { "Reschedule" }
            form.filter-bar method="get" action=(action) {
                div.field {
                    label for="f-date" { "Day" }
                    input #f-date type="date" name="date" value=(day) required;
                }
                button type="submit" { "Show free times" }
                p.muted { (day_label(day)) }
            }
            form method="post" action={ (action) "/reschedule" } {
                (shell.csrf())
                input type="hidden" name="date" value=(day);
                (slot_choices(calendar, &slots, ""))
                @if !slots.is_empty() {
                    div.actions.left { button.primary type="submit" { "Move to this time" } }
                }
            }
        }
        section.card aria-labelledby="notes-title" {
            h2 #notes-title { "Notes" }
            form method="post" action={ (action) "/notes" } {
                (shell.csrf())
                (Input { label: "Notes", name: "description", value: a.description.as_deref().unwrap_or(""),
                    kind: "textarea", max_chars: Some(5000), ..Default::default() }.render(problems))
                div.actions.left { button type="submit" { "Save notes" } }
            }
        }
    };
    Ok(shell.app_page(Area::Calendars, &a.title, content))
}

/// Applies `input` to the appointment and goes back to its page with `done`; a refusal shows
/// the page again with the problem.
async fn apply(
    state: &AppState,
    shell: &Shell,
    raw: &str,
    input: AppointmentInput,
    done: &str,
    day: Option<LocalDate>,
) -> WebResult<Response> {
    let (current, calendar) = load(state, shell, raw).await?;
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let result = match input.validate(false) {
        Ok(change) => calendars::change(store, now, &shell.location, current.clone(), change).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((saved, _)) => {
            let to = shell.at(&format!("/appointments/{}?done={done}", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let status = refusal_status(&e);
            let problems = Problems::from_error(e, LABELS)?;
            let zone = Some(calendar.time_zone.as_str());
            let day = day.unwrap_or(LocalDate::of(current.start, zone));
            let page = page(state, shell, &current, &calendar, day, None, &problems).await?;
            Ok((status, page).into_response())
        }
    }
}

pub(crate) async fn status(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let input = AppointmentInput {
        appointment_status: Some(posted.form.get("status").to_owned()),
        ..AppointmentInput::default()
    };
    apply(&state, &shell, &id, input, "status", None).await
}

pub(crate) async fn reschedule(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let form = &posted.form;
    let input = AppointmentInput {
        start_time: Some(TimeInput::Millis(form.get("start").parse().unwrap_or(0))),
        ..AppointmentInput::default()
    };
    let day = LocalDate::parse(form.get("date"));
    apply(&state, &shell, &id, input, "moved", day).await
}

pub(crate) async fn notes(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let notes = Some(posted.form.get("description").trim().to_owned()).filter(|n| !n.is_empty());
    let input = AppointmentInput {
        description: Some(notes),
        ..AppointmentInput::default()
    };
    apply(&state, &shell, &id, input, "notes", None).await
}
