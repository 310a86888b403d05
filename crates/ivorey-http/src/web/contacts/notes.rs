//! A contact's notes from its page: add, edit and delete. A note added here is signed by the
//! user who wrote it.

use axum::extract::{Path, State};
use axum::response::Response;
use ivorey_core::contact::NoteInput;
use ivorey_core::ids::NoteId;

use super::load;
use super::on_contact::NOTE;
use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::WebResult;
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
        .map_err(|e| NOTE.refused(e))?;
    state
        .store
        .insert_note(&shell.location, &note)
        .await
        .map_err(|e| NOTE.not_found(e))?;
    Ok(NOTE.back(&shell, &contact.id, "note-added"))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id, note)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let note_id = NoteId::parse(&note).map_err(|_| NOTE.missing())?;
    let found = state
        .store
        .get_note(&shell.location, &contact.id, &note_id)
        .await?
        .ok_or_else(|| NOTE.missing())?;
    let input = NoteInput {
        body: Some(posted.form.get("body").to_owned()),
        user_id: None,
    };
    let note = input
        .apply_to(found, &shell.changer())
        .map_err(|e| NOTE.refused(e))?;
    state
        .store
        .update_note(&shell.location, &note)
        .await
        .map_err(|e| NOTE.not_found(e))?;
    Ok(NOTE.back(&shell, &contact.id, "note-saved"))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id, note)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let note_id = NoteId::parse(&note).map_err(|_| NOTE.missing())?;
    state
        .store
        .delete_note(&shell.location, &contact.id, &note_id)
        .await
        .map_err(|e| NOTE.not_found(e))?;
    Ok(NOTE.back(&shell, &contact.id, "note-deleted"))
}
