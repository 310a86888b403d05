//! A calendar's week, Monday to Sunday in the calendar's zone: each day's appointments (a
//! cancelled one struck through), and a Book link per day while the calendar takes bookings.

use axum::extract::{Path, Query, State};
use ivorey_core::wall_clock::LocalDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::{SHOWN_MAX, agenda_item, day_label, zone_of};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::calendar_settings::load;
use crate::web::error::WebResult;
use crate::web::frame::Area;
use crate::web::layout::{Tone, icon, notice};
use crate::web::shell::Shell;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WeekParams {
    /// Any day of the week to show.
    #[serde(default)]
    week: String,
    #[serde(default)]
    done: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<WeekParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let calendar = load(&state, &shell, &id).await?;
    let zone_name = Some(calendar.time_zone.as_str());
    let today = LocalDate::of(state.clock.now(), zone_name);
    let monday = LocalDate::parse(&params.week).unwrap_or(today).monday();
    let window = (
        monday.start(zone_name),
        monday.plus_days(7).start(zone_name),
    );
    let items = state
        .store
        .agenda(&shell.location, &calendar.id, window, SHOWN_MAX)
        .await?;
    let zone = zone_of(&calendar);
    let week_link = |d: LocalDate| shell.at(&format!("/calendars/{}?week={d}", calendar.id));
    let done = match params.done.as_str() {
        "created" => Some("The calendar was created. Book its first appointment from any day."),
        "cancelled" => Some("The appointment was cancelled; its time is free again."),
        _ => None,
    };
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/calendars")) { "Calendars" } }
                li { a href=(week_link(monday)) { (calendar.name) } }
            }
        }
        div.page-head {
            div {
                h1 { (calendar.name) }
                p.lede { "Week of " strong { (day_label(monday)) } span.muted { " · times in " (calendar.time_zone) } }
            }
            nav.head-actions aria-label="Weeks" {
                a.button href=(week_link(monday.plus_days(-7))) rel="prev" { "Previous week" }
                @if monday != today.monday() { a.button href=(week_link(today)) { "This week" } }
                a.button href=(week_link(monday.plus_days(7))) rel="next" { "Next week" }
                @if shell.is_admin() { a.button href=(shell.url(&format!("/calendars/{}", calendar.id))) { "Settings" } }
            }
        }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        @if !calendar.is_active {
            (notice(Tone::Info, html! { "This calendar is paused: it takes no bookings until an admin turns bookings back on in its settings." }))
        }
        div.week {
            @for n in 0..7 {
                @let day = monday.plus_days(n);
                @let (from, to) = (day.start(zone_name), day.plus_days(1).start(zone_name));
                @let on_day: Vec<_> = items.iter().filter(|i| i.appointment.start >= from && i.appointment.start < to).collect();
                section.week-day.today[day == today] aria-labelledby={ "day-" (day) } {
                    h2 #{ "day-" (day) } { (day_label(day)) }
                    @if on_day.is_empty() {
                        p.muted.small { "Free" }
                    } @else {
                        ul.agenda { @for item in on_day { (agenda_item(&shell, &zone, item)) } }
                    }
                    @if calendar.is_active && day >= today {
                        a.button.small href=(shell.at(&format!("/calendars/{}/book?date={day}", calendar.id))) {
                            (icon("plus")) "Book" span.visually-hidden { " on " (day_label(day)) }
                        }
                    }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Calendars, &calendar.name, content))
}
