//! Settings > Calendars: the location's calendars, and the form that creates or edits one
//! (name, description, time zone, slot length and interval, buffers before and after, minimum
//! notice, open hours per weekday as typed ranges, whether it takes bookings). Admins change them; members see them. The same
//! `ivorey_app::calendars` service as `POST /calendars/` checks every field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::calendars;
use ivorey_core::calendar::hours::{self, OpenHour};
use ivorey_core::calendar::{Calendar, CalendarInput};
use ivorey_core::ids::CalendarId;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{Posted, Viewer};
use super::business::ZONES;
use super::error::{WebError, WebResult};
use super::forms::{FormData, Input, Problems};
use super::layout::{Tone, icon, notice};
use super::shell::{Section, Shell};
use crate::state::AppState;

/// The weekdays in the form's order, with HighLevel's numbers (0 = Sunday).
const WEEK: [(u8, &str); 7] = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (0, "Sunday"),
];
const LENGTHS: [u32; 9] = [10, 15, 20, 30, 45, 60, 90, 120, 180];
const BUFFERS: [u32; 7] = [0, 5, 10, 15, 30, 45, 60];
/// Minimum notices offered, in hours.
const NOTICES: [(u32, &str); 8] = [
    (0, "None: up to the last minute"),
    (1, "1 hour"),
    (2, "2 hours"),
    (4, "4 hours"),
    (12, "12 hours"),
    (24, "1 day"),
    (48, "2 days"),
    (168, "1 week"),
];

const LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("timezone", "Time zone"),
    ("slotDuration", "Appointment length"),
    ("slotInterval", "Start times every"),
    ("openHours", "Open hours"),
    ("preBuffer", "Free before"),
    ("slotBuffer", "Free after"),
    ("allowBookingAfter", "Minimum notice"),
];

#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let found = state.store.list_calendars(&shell.location).await?;
    let saved = done.done.as_deref() == Some("saved");
    let content = html! {
        div.page-head {
            h1 { "Calendars" }
            @if shell.is_admin() {
                a.button.primary href=(shell.url("/calendars/new")) { (icon("plus")) "New calendar" }
            }
        }
        p.lede { "Each calendar has its own open hours and appointment length; people and tools book its free slots." }
        @if saved { (notice(Tone::Success, html! { "The calendar was saved." })) }
        @if found.is_empty() {
            div.card.empty {
                h2 { "No calendars yet" }
                p { "Make one for each service you book, for example Consultations or Tastings, and set the hours it takes appointments." }
                @if shell.is_admin() { a.button.primary href=(shell.url("/calendars/new")) { "Create a calendar" } }
            }
        } @else {
            section.card.table-card {
                table.list {
                    thead { tr { th scope="col" { "Calendar" } th scope="col" { "Length" } th scope="col" { "Time zone" } th scope="col" { "Bookings" } } }
                    tbody {
                        @for c in &found {
                            tr {
                                td { a.row-link href=(shell.url(&format!("/calendars/{}", c.id))) { (c.name) } }
                                td { (c.slot_duration_minutes) " min" }
                                td { (c.time_zone) }
                                td { @if c.is_active { span.badge.badge-ok { "Open" } } @else { span.badge { "Paused" } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(shell.page(Section::Calendars, "Calendars", &[], content))
}

/// The location's calendar named in the path, or a "not found" page.
pub(crate) async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Calendar> {
    let missing = || {
        WebError::plain(
            StatusCode::NOT_FOUND,
            "Calendar not found",
            "This calendar does not exist. It may have been deleted.",
        )
    };
    let id = CalendarId::parse(raw).map_err(|_| missing())?;
    state
        .store
        .get_calendar(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}

fn values_of(c: &Calendar) -> FormData {
    let mut pairs = vec![
        ("name".to_owned(), c.name.clone()),
        (
            "description".to_owned(),
            c.description.clone().unwrap_or_default(),
        ),
        ("timezone".to_owned(), c.time_zone.clone()),
        (
            "slotDuration".to_owned(),
            c.slot_duration_minutes.to_string(),
        ),
        (
            "slotInterval".to_owned(),
            c.slot_interval_minutes.to_string(),
        ),
    ];
    if c.is_active {
        pairs.push(("isActive".to_owned(), "on".to_owned()));
    }
    for (day, _) in WEEK {
        pairs.push((
            format!("hours-{day}"),
            hours::format_day(&c.open_hours, day),
        ));
    }
    FormData(pairs)
}

/// A new calendar's form: weekdays 9 to 5, half-hour appointments, the business's zone.
fn starting_values(zone: &str) -> FormData {
    let mut pairs = vec![
        ("timezone".to_owned(), zone.to_owned()),
        ("slotDuration".to_owned(), "30".to_owned()),
        ("slotInterval".to_owned(), "30".to_owned()),
        ("isActive".to_owned(), "on".to_owned()),
        ("preBuffer".to_owned(), "0".to_owned()),
        ("slotBuffer".to_owned(), "0".to_owned()),
        ("allowBookingAfter".to_owned(), "0".to_owned()),
    ];
    for (day, _) in WEEK {
        let hours = if (1..=5).contains(&day) {
            "09:00-17:00"
        } else {
            ""
        };
        pairs.push((format!("hours-{day}"), hours.to_owned()));
    }
    FormData(pairs)
}

/// The form as the service reads it; a weekday's hours that cannot be read are a problem of
/// `openHours` naming the day.
fn input_of(form: &FormData) -> (CalendarInput, Vec<String>) {
    let mut unreadable = Vec::new();
    let mut open_hours = Vec::new();
    for (day, name) in WEEK {
        match hours::parse_day(form.get(&format!("hours-{day}"))) {
            Some(ranges) if ranges.is_empty() => {}
            Some(ranges) => open_hours.push(OpenHour {
                days_of_the_week: vec![day],
                hours: ranges,
            }),
            None => unreadable.push(format!(
                "{name}'s hours could not be read: write them like 9:00-17:00, or 9:00-12:00, 13:00-17:00."
            )),
        }
    }
    let number = |name: &str| form.get(name).trim().parse::<u32>().ok();
    let description = Some(form.get("description").trim().to_owned()).filter(|d| !d.is_empty());
    let input = CalendarInput {
        name: Some(form.get("name").to_owned()),
        description: Some(description),
        timezone: Some(form.get("timezone").to_owned()),
        slot_duration: number("slotDuration"),
        slot_interval: number("slotInterval"),
        open_hours: Some(open_hours),
        is_active: Some(form.get("isActive") == "on"),
        pre_buffer: number("preBuffer"),
        slot_buffer: number("slotBuffer"),
        allow_booking_after: number("allowBookingAfter"),
        ..CalendarInput::default()
    };
    (input, unreadable)
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    shell.admin_for(&state, Section::Calendars).await?;
    let values = starting_values(shell.zone.label());
    Ok(form_page(&shell, None, &values, &Problems::none()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Calendars).await?;
    let (input, unreadable) = input_of(&posted.form);
    let result = match unreadable.first() {
        Some(why) => Err(Problems::general(why.clone())),
        None => {
            let (store, now) = (state.store.as_ref(), state.clock.now());
            calendars::create_calendar(store, now, &location, input)
                .await
                .map_err(|e| Problems::from_error(e, LABELS))
                .map_err(|p| p.unwrap_or_else(|e| Problems::general(e.to_string())))
        }
    };
    match result {
        Ok(created) => {
            let to = shell.at(&format!("/calendars/{}?done=created", created.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(problems) => {
            let page = form_page(&shell, None, &posted.form, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let calendar = load(&state, &shell, &id).await?;
    Ok(form_page(
        &shell,
        Some(&calendar),
        &values_of(&calendar),
        &Problems::none(),
    ))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    shell.admin_for(&state, Section::Calendars).await?;
    let current = load(&state, &shell, &id).await?;
    let (input, unreadable) = input_of(&posted.form);
    let result = match unreadable.first() {
        Some(why) => Err(Problems::general(why.clone())),
        None => {
            let (store, now) = (state.store.as_ref(), state.clock.now());
            calendars::update_calendar(store, now, current.clone(), input)
                .await
                .map_err(|e| Problems::from_error(e, LABELS))
                .map_err(|p| p.unwrap_or_else(|e| Problems::general(e.to_string())))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&shell.url("/calendars?done=saved")).into_response()),
        Err(problems) => {
            let page = form_page(&shell, Some(&current), &posted.form, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn length_select(name: &str, label: &str, value: &str, hint: &str) -> Markup {
    let id = format!("f-{name}");
    let hint_id = format!("{id}-hint");
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-describedby=(hint_id) {
                @for m in LENGTHS {
                    option value=(m) selected[value == m.to_string()] {
                        @if m < 60 { (m) " minutes" } @else if m % 60 == 0 { (m / 60) @if m == 60 { " hour" } @else { " hours" } } @else { (m / 60) " h " (m % 60) " min" }
                    }
                }
            }
            p.hint id=(hint_id) { (hint) }
        }
    }
}

fn minutes_select(name: &str, label: &str, value: &str, hint: &str) -> Markup {
    let id = format!("f-{name}");
    let hint_id = format!("{id}-hint");
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-describedby=(hint_id) {
                @for m in BUFFERS {
                    option value=(m) selected[value == m.to_string()] {
                        @if m == 0 { "None" } @else { (m) " minutes" }
                    }
                }
            }
            p.hint id=(hint_id) { (hint) }
        }
    }
}

fn form_page(
    shell: &Shell,
    calendar: Option<&Calendar>,
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let admin = shell.is_admin();
    let action = match calendar {
        Some(c) => shell.url(&format!("/calendars/{}", c.id)),
        None => shell.url("/calendars"),
    };
    let title = calendar.map_or("New calendar", |c| c.name.as_str());
    let zone = values.get("timezone");
    let content = html! {
        div.page-head {
            h1 { (title) }
            @if let Some(c) = calendar {
                a.button href=(shell.at(&format!("/calendars/{}", c.id))) { "Open the week" }
            }
        }
        @if !admin {
            (notice(Tone::Info, html! { "Only admins of this business can change calendars. You can view this one." }))
        }
        (problems.summary())
        form method="post" action=(action) {
            (shell.csrf())
            section.card aria-labelledby="about-title" {
                h2 #about-title { "About" }
                (Input { label: "Name", name: "name", value: values.get("name"), required: true,
                    max_chars: Some(100), read_only: !admin,
                    placeholder: Some("For example Consultations"), ..Default::default() }.render(problems))
                (Input { label: "Description", name: "description", value: values.get("description"),
                    kind: "textarea", read_only: !admin, max_chars: Some(1000),
                    ..Default::default() }.render(problems))
                div.field.check {
                    label {
                        input type="checkbox" name="isActive" checked[values.get("isActive") == "on"] disabled[!admin];
                        " Takes bookings"
                    }
                }
            }
            section.card aria-labelledby="slots-title" {
                h2 #slots-title { "Appointments" }
                div.grid {
                    (length_select("slotDuration", "Appointment length", values.get("slotDuration"), "How long each booking lasts."))
                    (length_select("slotInterval", "Start times every", values.get("slotInterval"), "Free slots start this often, from the opening time."))
                    div.field {
                        label for="f-timezone" { "Time zone" }
                        select #f-timezone name="timezone" aria-describedby="f-timezone-hint" {
                            @if !ZONES.contains(&zone) { option value=(zone) selected { (zone) } }
                            @for z in ZONES { option value=(z) selected[*z == zone] { (z) } }
                        }
                        p.hint #f-timezone-hint { "Open hours are wall-clock times in this zone, so 9:00 stays 9:00 when the clocks change." }
                    }
                    (minutes_select("preBuffer", "Free before", values.get("preBuffer"), "Kept free before each appointment, to get ready."))
                    (minutes_select("slotBuffer", "Free after", values.get("slotBuffer"), "Kept free after each appointment, to wrap up."))
                    div.field {
                        label for="f-allowBookingAfter" { "Minimum notice" }
                        select #f-allowBookingAfter name="allowBookingAfter" aria-describedby="f-allowBookingAfter-hint" {
                            @for (hours, label) in NOTICES {
                                option value=(hours) selected[values.get("allowBookingAfter") == hours.to_string()] { (label) }
                            }
                        }
                        p.hint #f-allowBookingAfter-hint { "How long before its start an appointment can still be booked." }
                    }
                }
            }
            section.card aria-labelledby="hours-title" {
                h2 #hours-title { "Open hours" }
                p.hint #hours-hint { "Write each day's hours like 9:00-17:00, or 9:00-12:00, 13:00-17:00 for a break. Leave a day empty when closed." }
                div.grid {
                    @for (day, name) in WEEK {
                        @let field = format!("hours-{day}");
                        div.field {
                            label for={ "f-" (field) } { (name) }
                            input id={ "f-" (field) } name=(field) type="text" value=(values.get(&field))
                                placeholder="Closed" maxlength="200" readonly[!admin] aria-describedby="hours-hint";
                        }
                    }
                }
            }
            @if admin {
                div.actions.sticky-actions {
                    button.primary type="submit" { @if calendar.is_some() { "Save changes" } @else { "Create calendar" } }
                }
            }
        }
    };
    let crumbs = [(title, action.clone())];
    shell.page(Section::Calendars, title, &crumbs, content)
}
