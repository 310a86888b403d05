//! A contact's notes from its page: add, edit and delete. A note added here is signed by the
//! user who wrote it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::contact::NoteInput;
use ivorey_core::ids::NoteId;

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::{WebError, WebResult};
use crate::web::shell::Shell;

pub(crate) async fn add(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let input = NoteInput {
        body: Some(posted.form.get("body").to_owned()),
        user_id: Some(shell.user.user.id.to_string()),
    };
    let note = input
        .into_note(contact.id.clone(), state.clock.now(), &shell.changer())
        .map_err(refused)?;
    state
        .store
        .insert_note(&shell.location, &note)
        .await
        .map_err(not_found)?;
    Ok(back(&shell, &contact.id, "note-added"))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id, note)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let note_id = NoteId::parse(&note).map_err(|_| missing_note())?;
    let found = state
        .store
        .get_note(&shell.location, &contact.id, &note_id)
        .await?
        .ok_or_else(missing_note)?;
    let input = NoteInput {
        body: Some(posted.form.get("body").to_owned()),
        user_id: None,
    };
    let note = input.apply_to(found, &shell.changer()).map_err(refused)?;
    state
        .store
        .update_note(&shell.location, &note)
        .await
        .map_err(not_found)?;
    Ok(back(&shell, &contact.id, "note-saved"))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id, note)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let note_id = NoteId::parse(&note).map_err(|_| missing_note())?;
    state
        .store
        .delete_note(&shell.location, &contact.id, &note_id)
        .await
        .map_err(not_found)?;
    Ok(back(&shell, &contact.id, "note-deleted"))
}

fn back(shell: &Shell, contact: &ivorey_core::ContactId, done: &str) -> Response {
    Redirect::to(&path(shell, contact, &format!("?done={done}#notes"))).into_response()
}

fn refused(e: ivorey_core::ValidationErrors) -> WebError {
    WebError::plain(
        StatusCode::UNPROCESSABLE_ENTITY,
        "The note was not saved",
        &format!("{}. Go back and try again.", e.messages().join("; ")),
    )
}

fn missing_note() -> WebError {
    WebError::plain(
        StatusCode::NOT_FOUND,
        "Note not found",
        "This note does not exist. It may have been deleted.",
    )
}

fn not_found(e: ivorey_store::StoreError) -> WebError {
    match e {
        ivorey_store::StoreError::NotFound => missing_note(),
        other => other.into(),
    }
}
