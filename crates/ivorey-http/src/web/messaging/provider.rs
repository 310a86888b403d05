//! The forms of Settings > Messaging that save a provider or send a test through it. Saving
//! calls `ivorey_app::messaging::set_smtp` / `set_webhook` (the management API's services);
//! a saved SMTP server or an unchanged webhook secret redirects back, while a new signing
//! secret is shown in this answer, once. A test send waits for the provider's answer (one
//! attempt, at most 10 s) and shows it.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::messaging::{self as ops, Provider, SmtpInput};
use ivorey_core::conversation::MessageStatus;
use maud::html;

use super::{Shown, admin, current, page};
use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::WebResult;
use crate::web::forms::Problems;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

const SMTP_LABELS: &[(&str, &str)] = &[
    ("host", "Host"),
    ("port", "Port"),
    ("tls", "TLS mode"),
    ("username", "Username"),
    ("password", "Password"),
    ("from", "From address"),
];
const WEBHOOK_LABELS: &[(&str, &str)] = &[("url", "Webhook URL")];

/// The longest a test send keeps the page waiting.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn save_smtp(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = admin(&state, &shell).await?;
    let form = &posted.form;
    let optional = |name: &str| Some(form.get(name).to_owned()).filter(|v| !v.is_empty());
    let input = SmtpInput {
        host: form.get("host").to_owned(),
        // Not a port: 0, which the service refuses with its own message.
        port: form.get("port").trim().parse().unwrap_or(0),
        tls: form.get("tls").to_owned(),
        username: optional("username"),
        // Blank keeps the stored password (never sent to the page).
        password: optional("password"),
        from: form.get("from").to_owned(),
    };
    let now = state.clock.now();
    match ops::set_smtp(state.store.as_ref(), now, &location, input).await {
        Ok(_) => Ok(Redirect::to(&shell.url("/messaging?done=smtp-saved")).into_response()),
        Err(e) => {
            let shown = Shown {
                smtp: Some((form, Problems::from_error(e, SMTP_LABELS)?)),
                ..Shown::default()
            };
            answer(&state, &shell, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
}

pub(crate) async fn save_webhook(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = admin(&state, &shell).await?;
    let form = &posted.form;
    let rotate = form.get("rotate") == "1";
    let now = state.clock.now();
    let store = state.store.as_ref();
    match ops::set_webhook(store, now, &location, form.get("url"), rotate).await {
        Ok(saved) => match saved.get("webhookSecret").and_then(|s| s.as_str()) {
            Some(secret) => {
                let shown = Shown {
                    notice: Some(notice(
                        Tone::Success,
                        html! {
                            "The webhook was saved with a new signing secret."
                        },
                    )),
                    secret: Some(secret.to_owned()),
                    ..Shown::default()
                };
                answer(&state, &shell, StatusCode::OK, shown).await
            }
            None => Ok(Redirect::to(&shell.url("/messaging?done=webhook-saved")).into_response()),
        },
        Err(e) => {
            let shown = Shown {
                webhook: Some((form, Problems::from_error(e, WEBHOOK_LABELS)?)),
                ..Shown::default()
            };
            answer(&state, &shell, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
}

pub(crate) async fn test_smtp(
    state: State<AppState>,
    location: Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    test(state, location, posted, Provider::Smtp).await
}

pub(crate) async fn test_webhook(
    state: State<AppState>,
    location: Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    test(state, location, posted, Provider::Webhook).await
}

async fn test(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
    provider: Provider,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = admin(&state, &shell).await?;
    let form = &posted.form;
    let to = form.get("to").trim();
    let name = match provider {
        Provider::Smtp => "smtp",
        Provider::Webhook => "webhook",
    };
    let now = state.clock.now();
    let timeout = TEST_TIMEOUT.min(state.config.delivery.attempt_timeout);
    let outcome = ops::test_send(state.store.as_ref(), now, &location, provider, to, timeout).await;
    let (status, shown) = match outcome {
        Ok(result) => {
            let tone = if result.is_ok() {
                Tone::Success
            } else {
                Tone::Warning
            };
            let said = match result {
                Ok(MessageStatus::Delivered) => format!("The test message to {to} was delivered."),
                Ok(_) => format!("The test message to {to} was accepted by the provider."),
                Err(reason) => format!("The test message to {to} failed: {reason}."),
            };
            let shown = Shown {
                notice: Some(html! { div #test-outcome { (notice(tone, html! { (said) })) } }),
                ..Shown::default()
            };
            (StatusCode::OK, shown)
        }
        Err(e) => {
            let problems = Problems::from_error(e, &[("to", "The test recipient")])?;
            let shown = Shown {
                test: Some((name, form, problems)),
                ..Shown::default()
            };
            (StatusCode::UNPROCESSABLE_ENTITY, shown)
        }
    };
    answer(&state, &shell, status, shown).await
}

/// The Messaging page as stored now, with what this request has to show on it.
async fn answer(
    state: &AppState,
    shell: &Shell,
    status: StatusCode,
    shown: Shown<'_>,
) -> WebResult<Response> {
    let settings = current(state, &shell.location).await?;
    Ok((status, page(shell, &settings, shown)).into_response())
}
