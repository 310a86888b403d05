//! Removing a provider: a confirmation page that says what stops working, then the removal
//! (`ivorey_app::messaging::remove`, as `DELETE /manage/.../messaging/smtp|webhook`).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::messaging as ops;
use maud::{Markup, html};

use super::admin;
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::shell::{Section, Shell};

/// The provider a URL names: `smtp` or `webhook`.
fn is_smtp(provider: &str) -> Option<bool> {
    match provider {
        "smtp" => Some(true),
        "webhook" => Some(false),
        _ => None,
    }
}

fn not_a_provider() -> crate::web::error::WebError {
    crate::web::error::WebError::plain(
        axum::http::StatusCode::NOT_FOUND,
        "Not found",
        "There is no such messaging provider.",
    )
}

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path((location, provider)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    admin(&state, &shell).await?;
    let smtp = is_smtp(&provider).ok_or_else(not_a_provider)?;
    let (what, stops) = if smtp {
        (
            "the SMTP server",
            "Emails, replies and the API's alike, fail until a new server is set up.",
        )
    } else {
        (
            "the webhook provider",
            "SMS and Custom messages fail until a new webhook is set up, and its signing secret is deleted.",
        )
    };
    let content = html! {
        div.page-head { h1 { "Remove " (what) "?" } }
        section.card.danger-card aria-labelledby="confirm-title" {
            h2 #confirm-title { "Messages will stop going out" }
            p { (stops) }
            form #remove-provider method="post" action=(shell.url(&format!("/messaging/{provider}/remove"))) {
                (shell.csrf())
                div.actions {
                    a.button href=(shell.url("/messaging")) { "Cancel" }
                    button.danger type="submit" { "Remove " (what) }
                }
            }
        }
    };
    let crumbs = [(
        "Remove",
        shell.url(&format!("/messaging/{provider}/remove")),
    )];
    Ok(shell.page(Section::Messaging, "Remove provider", &crumbs, content))
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    Path((location, provider)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = admin(&state, &shell).await?;
    let smtp = is_smtp(&provider).ok_or_else(not_a_provider)?;
    let now = state.clock.now();
    ops::remove(state.store.as_ref(), now, &location, smtp).await?;
    let done = if smtp {
        "smtp-removed"
    } else {
        "webhook-removed"
    };
    Ok(Redirect::to(&shell.url(&format!("/messaging?done={done}"))).into_response())
}
