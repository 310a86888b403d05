//! The CRM areas' routes (contacts, conversations, opportunities, calendars) and their
//! Settings sections, grouped per area so `mod.rs` reads as the map of the app.

use axum::Router;
use axum::routing::{get, post};

use super::{
    calendar_settings, calendars, contacts, conversations, messaging, opportunities, pipelines,
};
use crate::state::AppState;

/// Settings > Pipelines, and the Opportunities board and pages.
pub(super) fn pipeline_routes() -> Router<AppState> {
    use opportunities::{board, edit as deal, list as deals, new as new_deal};
    use pipelines::{delete, edit};
    let pipeline = "/l/{location}/settings/pipelines/{id}";
    let deal_path = "/l/{location}/opportunities/{id}";
    Router::new()
        .route(
            "/l/{location}/settings/pipelines",
            get(pipelines::show).post(pipelines::create),
        )
        .route(pipeline, get(edit::show).post(edit::post))
        .route(
            &format!("{pipeline}/delete"),
            get(delete::confirm_pipeline).post(delete::delete_pipeline),
        )
        .route(
            &format!("{pipeline}/stages/{{stage}}/delete"),
            get(delete::confirm_stage).post(delete::delete_stage),
        )
        .route("/l/{location}/opportunities", get(board::show))
        .route("/l/{location}/opportunities/list", get(deals::show))
        .route(
            "/l/{location}/opportunities/new",
            get(new_deal::new_form).post(new_deal::create),
        )
        .route(deal_path, get(deal::show).post(deal::save))
        .route(&format!("{deal_path}/move"), post(board::move_card))
        .route(&format!("{deal_path}/status"), post(deal::status))
        .route(
            &format!("{deal_path}/delete"),
            get(deal::confirm_delete).post(deal::delete),
        )
}

/// Settings > Calendars, and the Calendars area: agenda, week, booking, an appointment.
pub(super) fn calendar_routes() -> Router<AppState> {
    use calendars::{appointment, book, week};
    let settings = "/l/{location}/settings/calendars";
    let appointment_path = "/l/{location}/appointments/{id}";
    Router::new()
        .route(
            settings,
            get(calendar_settings::list).post(calendar_settings::create),
        )
        .route(&format!("{settings}/new"), get(calendar_settings::new_form))
        .route(
            &format!("{settings}/{{id}}"),
            get(calendar_settings::edit_form).post(calendar_settings::save),
        )
        .route("/l/{location}/calendars", get(calendars::show))
        .route("/l/{location}/calendars/{id}", get(week::show))
        .route(
            "/l/{location}/calendars/{id}/book",
            get(book::form).post(book::book),
        )
        .route(appointment_path, get(appointment::show))
        .route(
            &format!("{appointment_path}/status"),
            post(appointment::status),
        )
        .route(
            &format!("{appointment_path}/reschedule"),
            post(appointment::reschedule),
        )
        .route(
            &format!("{appointment_path}/notes"),
            post(appointment::notes),
        )
}

/// Contacts: the list, a contact's page and everything its forms post to.
pub(super) fn contact_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use contacts::{delete, detail, edit, export, import, list, notes, tags, tasks};
    let contact = "/l/{location}/contacts/{id}";
    Router::new()
        .route("/l/{location}/contacts", get(list::show).post(edit::create))
        .route("/l/{location}/contacts/new", get(edit::new_form))
        .route("/l/{location}/contacts/bulk-tags", post(tags::bulk))
        // CSV import (upload with its own body limit, mapping, progress) and export.
        .route(
            "/l/{location}/contacts/import",
            get(import::upload::form)
                .post(import::upload::upload)
                .layer(DefaultBodyLimit::max(import::upload::BODY_MAX_BYTES)),
        )
        .route(
            "/l/{location}/contacts/import/{job}",
            get(import::mapping::show).post(import::mapping::post),
        )
        .route(
            "/l/{location}/contacts/import/{job}/refused.csv",
            get(import::progress::refused_csv),
        )
        .route("/l/{location}/contacts/export.csv", get(export::export))
        .route(contact, get(detail::show))
        .route(
            &format!("{contact}/edit"),
            get(edit::edit_form).post(edit::save),
        )
        .route(
            &format!("{contact}/delete"),
            get(delete::confirm).post(delete::delete),
        )
        .route(&format!("{contact}/tags"), post(tags::add))
        .route(&format!("{contact}/tags/remove"), post(tags::remove))
        .route(&format!("{contact}/notes"), post(notes::add))
        .route(&format!("{contact}/notes/{{note}}"), post(notes::save))
        .route(
            &format!("{contact}/notes/{{note}}/delete"),
            post(notes::delete),
        )
        .route(&format!("{contact}/tasks"), post(tasks::add))
        .route(
            &format!("{contact}/tasks/{{task}}/complete"),
            post(tasks::complete),
        )
        .route(
            &format!("{contact}/tasks/{{task}}/delete"),
            post(tasks::delete),
        )
}

/// Conversations (inbox, thread, reply, mark read) and Settings > Messaging.
pub(super) fn inbox_routes() -> Router<AppState> {
    use conversations::{inbox, reply, thread};
    use messaging::{provider, remove};
    let conversation = "/l/{location}/conversations/{id}";
    let settings = "/l/{location}/settings/messaging";
    Router::new()
        .route("/l/{location}/conversations", get(inbox::show))
        .route(conversation, get(thread::show))
        .route(&format!("{conversation}/reply"), post(reply::send))
        .route(&format!("{conversation}/read"), post(reply::mark_read))
        .route(settings, get(messaging::show))
        .route(&format!("{settings}/smtp"), post(provider::save_smtp))
        .route(&format!("{settings}/webhook"), post(provider::save_webhook))
        .route(&format!("{settings}/smtp/test"), post(provider::test_smtp))
        .route(
            &format!("{settings}/webhook/test"),
            post(provider::test_webhook),
        )
        .route(
            &format!("{settings}/{{provider}}/remove"),
            get(remove::confirm).post(remove::remove),
        )
}
