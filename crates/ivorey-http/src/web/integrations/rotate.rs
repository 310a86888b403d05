//! Rotation: "Rotate and expire this token later" (the old token keeps working for the
//! configured grace) and "... now" (it stops at once), each explained on a confirmation page
//! before the new token is shown once; and "Expire the old token now" during a grace period.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::integration::RotationExpiry;
use maud::{Markup, html};
use serde::Deserialize;

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::format;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Section;
use crate::web::token::{self, Issued};
use ivorey_app::AppError;
use ivorey_app::integrations as ops;

#[derive(Debug, Deserialize)]
pub(crate) struct RotateQuery {
    expire: Option<String>,
}

/// `later` or `now`; anything else is a 400 page.
fn expire_later(value: &str) -> Result<bool, WebError> {
    match value {
        "later" => Ok(true),
        "now" => Ok(false),
        _ => Err(WebError::plain(
            StatusCode::BAD_REQUEST,
            "Choose how to rotate",
            "Choose whether the old token should expire later or now.",
        )),
    }
}

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(query): Query<RotateQuery>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let (shell, _, integration) = load(&state, user, &location, &id).await?;
    let later = expire_later(query.expire.as_deref().unwrap_or(""))?;
    let now = state.clock.now();
    let grace = state.config.rotation_grace;
    let until = now.plus(grace);
    let detail = path(&shell, &integration.id, "");
    let title = if later {
        "Rotate and expire this token later"
    } else {
        "Rotate and expire this token now"
    };
    let content = html! {
        div.page-head { h1 { (title) } }
        section.card aria-labelledby="rotate-title" {
            h2 #rotate-title { (integration.name) }
            @if later {
                p {
                    "A new token is issued now. The current token (ending " code { "…" (integration.token_hint) } ") "
                    "keeps working for " strong { (format::duration(grace)) } ", until "
                    (shell.zone.date_time(until)) ", and then stops."
                }
                p { "Use this when a developer or the connected tool needs time to switch to the new token." }
            } @else {
                p {
                    "A new token is issued now and the current token (ending " code { "…" (integration.token_hint) } ") "
                    strong { "stops working immediately" } "."
                }
                p { "Use this if the token has been compromised or shared by accident. The connected tool loses access until it is given the new token." }
            }
            @if let Some(old) = &integration.previous_token {
                (notice(Tone::Warning, html! {
                    "The older token ending " code { "…" (old.token_hint) } " is still in its grace period; "
                    "rotating again ends it at once."
                }))
            }
            form method="post" action=(path(&shell, &integration.id, "/rotate")) {
                (shell.csrf())
                input type="hidden" name="expire" value=(if later { "later" } else { "now" });
                div.actions {
                    a.button href=(detail) { "Cancel" }
                    @if later {
                        button.primary type="submit" { "Rotate and expire later" }
                    } @else {
                        button.danger type="submit" { "Rotate and expire now" }
                    }
                }
            }
        }
    };
    let crumbs = [(integration.name.as_str(), detail.clone())];
    Ok(shell.page(Section::Integrations, title, &crumbs, content))
}

pub(crate) async fn rotate(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let (shell, location, integration) = load(&state, posted.user, &location, &id).await?;
    let expiry = if expire_later(posted.form.get("expire"))? {
        RotationExpiry::Later(state.config.rotation_grace)
    } else {
        RotationExpiry::Now
    };
    let now = state.clock.now();
    let actor = shell.user.actor();
    let issued = ops::rotate(
        state.store.as_ref(),
        now,
        &location,
        &integration.id,
        expiry,
        &actor,
    )
    .await?;
    let how = Issued::Rotated(expiry.old_token_expires_at(now));
    Ok(token::page(&shell, &issued.integration, &issued.token, how).into_response())
}

pub(crate) async fn expire_old_token(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let (shell, location, integration) = load(&state, posted.user, &location, &id).await?;
    let now = state.clock.now();
    let actor = shell.user.actor();
    let done = match ops::expire_old_token(
        state.store.as_ref(),
        now,
        &location,
        &integration.id,
        &actor,
    )
    .await
    {
        Ok(_) => "old-token-expired",
        Err(AppError::Conflict(_)) => "no-old-token",
        Err(e) => return Err(e.into()),
    };
    let target = path(&shell, &integration.id, &format!("?done={done}"));
    Ok(Redirect::to(&target).into_response())
}
