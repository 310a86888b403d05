//! [⋮] > Delete: a confirmation page that names the integration, then the delete itself, which
//! revokes every token of the integration at once.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::shell::Section;
use ivorey_app::integrations as ops;

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let (shell, _, integration) = load(&state, user, &location, &id).await?;
    let now = state.clock.now();
    let detail = path(&shell, &integration.id, "");
    let content = html! {
        div.page-head { h1 { "Delete " q { (integration.name) } "?" } }
        section.card.danger-card aria-labelledby="confirm-title" {
            h2 #confirm-title { "This cannot be undone" }
            p {
                "Deleting " strong { (integration.name) } " permanently removes it and revokes its "
                "access at once: the connected tool's next request with its token is refused."
            }
            @if let Some(at) = integration.last_used_at {
                p { "It was last used " (shell.zone.when(at, now)) "." }
            }
            form method="post" action=(path(&shell, &integration.id, "/delete")) {
                (shell.csrf())
                div.actions {
                    a.button href=(detail) { "Cancel" }
                    button.danger type="submit" { "Delete " q { (integration.name) } }
                }
            }
        }
    };
    let crumbs = [(integration.name.as_str(), detail.clone())];
    Ok(shell.page(
        Section::Integrations,
        "Delete integration",
        &crumbs,
        content,
    ))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let (shell, location, integration) = load(&state, posted.user, &location, &id).await?;
    let now = state.clock.now();
    let actor = shell.user.actor();
    ops::delete(
        state.store.as_ref(),
        now,
        &location,
        &integration.id,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&shell.url("/integrations?done=deleted")).into_response())
}
