//! Deleting a contact: a confirmation page that says what goes with it (notes, tasks, its
//! conversation), then the delete.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::frame::Area;
use crate::web::shell::Shell;

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let name = contact.fields.display_name();
    let back = path(&shell, &contact.id, "");
    let content = html! {
        div.page-head { h1 { "Delete " q { (name) } "?" } }
        section.card.danger-card aria-labelledby="confirm-title" {
            h2 #confirm-title { "This cannot be undone" }
            p {
                "Deleting " strong { (name) } " removes the contact with its notes, tasks and "
                "conversation. Tools connected through Private Integrations will no longer find it."
            }
            form method="post" action=(path(&shell, &contact.id, "/delete")) {
                (shell.csrf())
                div.actions {
                    a.button href=(back) { "Cancel" }
                    button.danger type="submit" { "Delete " q { (name) } }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Contacts, "Delete contact", content))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    state
        .store
        .delete_contact(&shell.location, &contact.id)
        .await
        .map_err(|e| match e {
            ivorey_store::StoreError::NotFound => super::missing(),
            other => other.into(),
        })?;
    Ok(Redirect::to(&shell.at("/contacts?done=deleted")).into_response())
}
