//! Calendars, as the business works them: today's agenda across its calendars (`show`), a
//! calendar's week (`week`), booking a contact into a free slot (`book`), and an appointment's
//! page to reschedule, cancel or mark it showed or no-show (`appointment`). Every time is
//! written in the calendar's own zone; booking and changes go through the same
//! `ivorey_app::calendars` service as the public API, so the same rules hold (open hours, no
//! double booking).

pub(crate) mod appointment;
pub(crate) mod book;
pub(crate) mod week;

use axum::extract::{Path, Query, State};
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::AppointmentStatus;
use ivorey_core::wall_clock::LocalDate;
use ivorey_store::AgendaItem;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Viewer;
use super::error::WebResult;
use super::format::Zone;
use super::frame::Area;
use super::layout::icon;
use super::shell::Shell;
use crate::state::AppState;

/// The most appointments a page lists for one calendar (a day or a week).
pub(crate) const SHOWN_MAX: u32 = 500;

pub(crate) fn zone_of(calendar: &Calendar) -> Zone {
    Zone::new(Some(&calendar.time_zone))
}

pub(crate) fn status_label(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::New => "New",
        AppointmentStatus::Confirmed => "Confirmed",
        AppointmentStatus::Cancelled => "Cancelled",
        AppointmentStatus::Showed => "Showed",
        AppointmentStatus::Noshow => "No-show",
        AppointmentStatus::Invalid => "Invalid",
    }
}

pub(crate) fn status_badge(status: AppointmentStatus) -> Markup {
    let class = match status {
        AppointmentStatus::Showed => "badge badge-ok",
        AppointmentStatus::Cancelled | AppointmentStatus::Invalid => "badge badge-danger",
        AppointmentStatus::Noshow => "badge badge-warn",
        AppointmentStatus::New | AppointmentStatus::Confirmed => "badge badge-info",
    };
    html! { span class=(class) { (status_label(status)) } }
}

/// `Mon 15 Mar`
pub(crate) fn day_label(day: LocalDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = usize::try_from(day.month() - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .unwrap_or(&"?");
    format!(
        "{} {} {month} {}",
        day.weekday_name(),
        day.day(),
        day.year()
    )
}

/// `09:30–10:00`, in the calendar's zone.
pub(crate) fn time_range(zone: &Zone, item: &AgendaItem) -> String {
    let a = &item.appointment;
    let clock = |t| {
        let w = ivorey_core::Timestamp::wall_clock(t, Some(zone.label()));
        format!("{:02}:{:02}", w.hour, w.minute)
    };
    format!("{}–{}", clock(a.start), clock(a.end))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DayParams {
    #[serde(default)]
    date: String,
}

/// The day's agenda across every calendar, each in its own zone.
pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<DayParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let calendars = state.store.list_calendars(&shell.location).await?;
    let now = state.clock.now();
    let today = LocalDate::of(now, Some(shell.zone.label()));
    let day = LocalDate::parse(&params.date).unwrap_or(today);
    let mut days = Vec::with_capacity(calendars.len());
    for calendar in &calendars {
        let zone = calendar.time_zone.as_str();
        let window = (day.start(Some(zone)), day.plus_days(1).start(Some(zone)));
        let items = state
            .store
            .agenda(&shell.location, &calendar.id, window, SHOWN_MAX)
            .await?;
        days.push(items);
    }
    let content = agenda(&shell, &calendars, &days, day, today);
    Ok(shell.app_page(Area::Calendars, "Calendars", content))
}

fn agenda(
    shell: &Shell,
    calendars: &[Calendar],
    days: &[Vec<AgendaItem>],
    day: LocalDate,
    today: LocalDate,
) -> Markup {
    let link = |d: LocalDate| shell.at(&format!("/calendars?date={d}"));
    html! {
        div.page-head {
            div {
                h1 { "Calendars" }
                p.lede { "Appointments on " strong { (day_label(day)) } }
            }
            nav.head-actions aria-label="Days" {
                a.button href=(link(day.plus_days(-1))) rel="prev" { "Previous day" }
                @if day != today { a.button href=(link(today)) { "Today" } }
                a.button href=(link(day.plus_days(1))) rel="next" { "Next day" }
            }
        }
        @if calendars.is_empty() {
            div.card.empty {
                span.empty-icon { (icon("calendar")) }
                h2 { "No calendars yet" }
                p { "Create a calendar with its open hours in Settings > Calendars; then book appointments here, and tools can book its free slots." }
                a.button.primary href=(shell.url("/calendars")) { "Set up a calendar" }
            }
        }
        @for (calendar, items) in calendars.iter().zip(days) {
            @let zone = zone_of(calendar);
            section.card aria-labelledby={ "cal-" (calendar.id) } {
                div.card-head {
                    h2 #{ "cal-" (calendar.id) } { (calendar.name) span.muted.small { " · " (calendar.time_zone) } }
                    div.head-actions {
                        a.link href=(shell.at(&format!("/calendars/{}?week={day}", calendar.id))) { "Week" }
                        @if calendar.is_active {
                            a.button.small href=(shell.at(&format!("/calendars/{}/book?date={day}", calendar.id))) { (icon("plus")) "Book" }
                        }
                    }
                }
                @if items.is_empty() {
                    p.muted { "Nothing booked this day." }
                } @else {
                    ul.agenda {
                        @for item in items { (agenda_item(shell, &zone, item)) }
                    }
                }
            }
        }
    }
}

pub(crate) fn agenda_item(shell: &Shell, zone: &Zone, item: &AgendaItem) -> Markup {
    let a = &item.appointment;
    let cancelled = a.status == AppointmentStatus::Cancelled;
    html! {
        li.agenda-item.cancelled[cancelled] {
            span.agenda-time { (time_range(zone, item)) }
            a href=(shell.at(&format!("/appointments/{}", a.id))) { strong { (item.contact_name) } }
            span.muted { " · " (a.title) }
            " " (status_badge(a.status))
        }
    }
}
