//! Tags from the web: add or remove one on a contact's page, or on the contacts ticked in the
//! list (bulk). In bulk, each contact is changed on its own; ids that are not this business's
//! contacts (or no longer exist) are skipped, never touched.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::ContactId;

use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::{WebError, WebResult};
use crate::web::shell::Shell;

/// Most contacts one post may change: a page of the list is 25.
const MOST: usize = 100;

pub(crate) async fn bulk(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let form = posted.form;
    let tag = form.get("tag").trim().to_owned();
    let adding = match form.get("action") {
        "add" => true,
        "remove" => false,
        _ => return Err(refused("Choose Add tag or Remove tag.")),
    };
    if tag.is_empty() {
        return Err(refused("Type the tag to add or remove."));
    }
    let ids: Vec<ContactId> = form
        .all("contact")
        .iter()
        .filter_map(|id| ContactId::parse(id).ok())
        .collect();
    if ids.is_empty() {
        return Err(refused(
            "Tick the boxes of the contacts to change, then choose Add tag or Remove tag.",
        ));
    }
    if ids.len() > MOST {
        return Err(refused(&format!(
            "At most {MOST} contacts can be changed at once."
        )));
    }
    let now = state.clock.now();
    for id in &ids {
        let Some(mut contact) = state.store.get_contact(&shell.location, id).await? else {
            continue;
        };
        if adding {
            contact.fields.add_tags(vec![tag.clone()]).map_err(|e| {
                refused(&format!(
                    "The tag could not be added: {}.",
                    e.messages().join("; ")
                ))
            })?;
        } else {
            contact
                .fields
                .remove_tags(std::slice::from_ref(&tag.to_lowercase()));
        }
        contact.date_updated = now;
        contact.changed_by(shell.changer(), false);
        match state.store.update_contact(&contact).await {
            // Deleted meanwhile: nothing left to tag.
            Err(ivorey_store::StoreError::NotFound) => {}
            other => other?,
        }
    }
    let done = if adding { "tagged" } else { "untagged" };
    Ok(Redirect::to(&shell.at(&format!("/contacts?done={done}"))).into_response())
}

/// `POST .../contacts/{id}/tags`: adds the typed tag.
pub(crate) async fn add(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    change_one(state, location, id, posted, true).await
}

/// `POST .../contacts/{id}/tags/remove`: removes the tag of the button pressed.
pub(crate) async fn remove(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    change_one(state, location, id, posted, false).await
}

async fn change_one(
    state: AppState,
    location: String,
    id: String,
    posted: Posted,
    adding: bool,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let mut contact = super::load(&state, &shell, &id).await?;
    let tag = posted.form.get("tag").trim().to_owned();
    if tag.is_empty() {
        return Err(refused("Type the tag to add."));
    }
    if adding {
        contact.fields.add_tags(vec![tag]).map_err(|e| {
            refused(&format!(
                "The tag could not be added: {}.",
                e.messages().join("; ")
            ))
        })?;
    } else {
        contact.fields.remove_tags(&[tag]);
    }
    contact.date_updated = state.clock.now();
    contact.changed_by(shell.changer(), false);
    state
        .store
        .update_contact(&contact)
        .await
        .map_err(|e| match e {
            ivorey_store::StoreError::NotFound => super::missing(),
            other => other.into(),
        })?;
    let done = if adding { "tagged" } else { "untagged" };
    Ok(Redirect::to(&super::path(
        &shell,
        &contact.id,
        &format!("?done={done}#tags"),
    ))
    .into_response())
}

fn refused(message: &str) -> WebError {
    WebError::plain(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Nothing was changed",
        message,
    )
}
