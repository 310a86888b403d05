//! The Settings web app: server-rendered pages for sign-in, first-run setup, Settings > Business
//! and Settings > Private Integrations. Pages work without JavaScript; `/assets/app.js` only adds
//! copy buttons, menu closing and confirm dialogs. Handlers call the same application services
//! (`ivorey_app`) as the management API and the CLI, and reuse its session cookie.
//!
//! URLs carry the location: `/l/{locationId}/settings/...`, so a user with several locations
//! can keep one open per tab; `/settings` picks the user's first location.
//!
//! Every POST is a form with a hidden `csrf` field checked against the session (or, for sign-in
//! and setup, against a double-submit cookie); every response gets a strict CSP and framing,
//! sniffing and referrer headers.

mod assets;
mod attribution;
mod auth;
mod business;
mod calendar_settings;
mod calendars;
mod contact_picker;
mod contacts;
mod conversations;
mod dashboard;
mod error;
mod form_builder;
mod format;
mod forms;
mod frame;
mod home;
mod hosted_form;
mod integrations;
mod layout;
mod login;
mod messaging;
mod opportunities;
mod payments;
mod pipelines;
mod routes;
mod scopes;
mod shell;
mod team;
mod token;
mod usage;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;
pub(crate) use hosted_form::{after_submit, refused_page};

/// The policy of every web response: scripts, styles and images from this server only, no
/// inline script or style, forms post only here, never framed.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The web app's routes, with the headers every page needs.
pub fn routes() -> Router<AppState> {
    let integration = "/l/{location}/settings/integrations/{id}";
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout))
        .route("/setup", get(login::setup_page).post(login::setup))
        .route("/settings", get(home::settings_home))
        .route("/dashboard", get(home::dashboard_home))
        .route("/l/{location}/settings", get(home::location_home))
        .route("/l/{location}/dashboard", get(dashboard::show))
        .merge(routes::contact_routes())
        .route(
            "/l/{location}/settings/business",
            get(business::show).post(business::save),
        )
        .route(
            "/l/{location}/settings/integrations",
            get(integrations::list::show).post(integrations::wizard::create),
        )
        .route(
            "/l/{location}/settings/integrations/new",
            get(integrations::wizard::step_one).post(integrations::wizard::step_two),
        )
        .route(integration, get(integrations::detail::show))
        .route(
            &format!("{integration}/edit"),
            get(integrations::edit::form).post(integrations::edit::save),
        )
        .route(
            &format!("{integration}/delete"),
            get(integrations::delete::confirm).post(integrations::delete::delete),
        )
        .route(
            &format!("{integration}/rotate"),
            get(integrations::rotate::confirm).post(integrations::rotate::rotate),
        )
        .route(
            &format!("{integration}/expire-old-token"),
            post(integrations::rotate::expire_old_token),
        )
        // Settings > Team, and the page a member's one-time sign-in link opens.
        .route(
            "/l/{location}/settings/team",
            get(team::show).post(team::add),
        )
        .route(
            "/l/{location}/settings/team/{user}/role",
            post(team::change_role),
        )
        .route(
            "/l/{location}/settings/team/{user}/remove",
            get(team::remove::confirm).post(team::remove::remove),
        )
        .route(
            "/invite/{token}",
            get(team::invite::show).post(team::invite::set_password),
        )
        .merge(routes::inbox_routes())
        .merge(routes::pipeline_routes())
        .merge(routes::calendar_routes())
        .route(
            "/l/{location}/forms",
            get(form_builder::show).post(form_builder::create),
        )
        .route(
            "/l/{location}/forms/{id}",
            get(form_builder::edit::show).post(form_builder::edit::post),
        )
        .route(
            "/l/{location}/forms/{id}/submissions",
            get(form_builder::submissions::show),
        )
        .route("/l/{location}/payments", get(payments::show))
        .route(
            "/l/{location}/payments/transactions",
            get(payments::transactions::show),
        )
        .route(
            "/l/{location}/payments/orders/{id}",
            get(payments::order::show),
        )
        .route(
            "/l/{location}/payments/orders/{id}/pay",
            post(payments::order::pay),
        )
        .route("/f/{form}", get(hosted_form::show).post(hosted_form::post))
        .route("/f/{form}/thanks", get(hosted_form::thanks))
        .route("/assets/{file}", get(assets::serve))
        .layer(middleware::from_fn(page_headers))
}

async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}
