//! Booking a contact into a calendar: choose the contact (`contact_picker`), then a day and
//! one of its free slots (the same free slots `GET /calendars/{id}/free-slots` serves), a
//! title and notes. A slot taken meanwhile is refused by the store in the booking's own
//! transaction, and the page offers the slots still free.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::{AppError, calendars};
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{AppointmentInput, TimeInput};
use ivorey_core::contact::Contact;
use ivorey_core::wall_clock::LocalDate;
use ivorey_core::{ContactId, Timestamp};
use maud::{Markup, html};
use serde::Deserialize;

use super::day_label;
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::calendar_settings::load;
use crate::web::contact_picker;
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::shell::Shell;

const LABELS: &[(&str, &str)] = &[
    ("startTime", "Time"),
    ("title", "Title"),
    ("description", "Notes"),
];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BookParams {
    #[serde(default)]
    date: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    find: String,
}

/// The free slots of `day` (in the calendar's zone), as the API computes them.
pub(crate) async fn slots_on(
    state: &AppState,
    calendar: &Calendar,
    day: LocalDate,
) -> WebResult<Vec<Timestamp>> {
    let zone = Some(calendar.time_zone.as_str());
    let window = (day.start(zone), day.plus_days(1).start(zone));
    let now = state.clock.now();
    Ok(calendars::free_slots(state.store.as_ref(), calendar, window, now).await?)
}

/// The radio buttons of a day's free slots (`start` in milliseconds), or why there are none.
pub(crate) fn slot_choices(calendar: &Calendar, slots: &[Timestamp], chosen: &str) -> Markup {
    let zone = calendar.time_zone.as_str();
    html! {
        @if slots.is_empty() {
            p.notice.notice-info { "No free slot this day. Choose another day." }
        } @else {
            fieldset.slots {
                legend { "Time " span.muted { "(" (zone) ")" } }
                div.slot-grid {
                    @for (n, at) in slots.iter().enumerate() {
                        @let w = at.wall_clock(Some(zone));
                        @let value = at.0.to_string();
                        label.slot {
                            input type="radio" name="start" value=(value) required
                                checked[chosen == value || (chosen.is_empty() && n == 0)];
                            span { (format!("{:02}:{:02}", w.hour, w.minute)) }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<BookParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let calendar = load(&state, &shell, &id).await?;
    let zone = Some(calendar.time_zone.as_str());
    let day = LocalDate::parse(&params.date).unwrap_or(LocalDate::of(state.clock.now(), zone));
    let contact = match ContactId::parse(&params.contact) {
        Ok(id) => state.store.get_contact(&shell.location, &id).await?,
        Err(_) => None,
    };
    let Some(contact) = contact else {
        let matches = contact_picker::find(&state, &shell, &params.find).await?;
        let action = shell.at(&format!("/calendars/{}/book", calendar.id));
        let day_text = day.to_string();
        let keep = [("date", day_text.as_str())];
        let content = html! {
            div.page-head { h1 { "Book in " (calendar.name) } }
            (contact_picker::card(&shell, &action, &keep, &params.find, matches.as_deref()))
        };
        return Ok(shell.app_page(Area::Calendars, "Book an appointment", content));
    };
    let slots = slots_on(&state, &calendar, day).await?;
    let values = FormData(vec![("title".into(), calendar.name.clone())]);
    Ok(page(
        &shell,
        &calendar,
        &contact,
        day,
        &slots,
        &values,
        &Problems::none(),
    ))
}

fn page(
    shell: &Shell,
    calendar: &Calendar,
    contact: &Contact,
    day: LocalDate,
    slots: &[Timestamp],
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let action = shell.at(&format!("/calendars/{}/book", calendar.id));
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/calendars")) { "Calendars" } }
                li { a href=(shell.at(&format!("/calendars/{}?week={day}", calendar.id))) { (calendar.name) } }
            }
        }
        div.page-head { h1 { "Book " (contact.fields.display_name()) } }
        (problems.summary())
        form.card.filter-bar method="get" action=(action) {
            input type="hidden" name="contact" value=(contact.id);
            div.field {
                label for="f-date" { "Day" }
                input #f-date type="date" name="date" value=(day) required;
            }
            button type="submit" { "Show free times" }
            p.muted { (day_label(day)) }
        }
        form.card method="post" action=(action) {
            (shell.csrf())
            input type="hidden" name="contact" value=(contact.id);
            input type="hidden" name="date" value=(day);
            (slot_choices(calendar, slots, values.get("start")))
            (Input { label: "Title", name: "title", value: values.get("title"), required: true,
                max_chars: Some(255), ..Default::default() }.render(problems))
            (Input { label: "Notes", name: "description", value: values.get("description"),
                kind: "textarea", max_chars: Some(5000),
                hint: Some("What the appointment is about; kept with it and shown on its page."),
                ..Default::default() }.render(problems))
            @if !slots.is_empty() {
                div.actions.left { button.primary type="submit" { "Book appointment" } }
            }
        }
    };
    shell.app_page(Area::Calendars, "Book an appointment", content)
}

pub(crate) async fn book(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let calendar = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let contact = crate::web::contacts::load(&state, &shell, form.get("contact")).await?;
    let notes = Some(form.get("description").trim().to_owned()).filter(|n| !n.is_empty());
    let input = AppointmentInput {
        calendar_id: Some(calendar.id.to_string()),
        location_id: Some(shell.location.to_string()),
        contact_id: Some(contact.id.to_string()),
        start_time: form.get("start").parse().ok().map(TimeInput::Millis),
        title: Some(form.get("title").to_owned()),
        description: Some(notes),
        ..AppointmentInput::default()
    };
    let (store, now) = (state.store.as_ref(), state.clock.now());
    let booked = match input.validate(true) {
        Ok(change) => calendars::book(store, now, &shell.location, change).await,
        Err(e) => Err(e.into()),
    };
    match booked {
        Ok((appointment, _)) => {
            let to = shell.at(&format!("/appointments/{}?done=booked", appointment.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let status = refusal_status(&e);
            let problems = Problems::from_error(e, LABELS)?;
            let zone = Some(calendar.time_zone.as_str());
            let day = LocalDate::parse(form.get("date")).unwrap_or(LocalDate::of(now, zone));
            let slots = slots_on(&state, &calendar, day).await?;
            let page = page(&shell, &calendar, &contact, day, &slots, form, &problems);
            Ok((status, page).into_response())
        }
    }
}

/// A slot taken meanwhile is a conflict; anything else the form's own problem.
pub(crate) fn refusal_status(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
