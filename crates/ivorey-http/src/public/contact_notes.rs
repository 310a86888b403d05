//! Notes on a contact: `/contacts/{contactId}/notes` and `/contacts/{contactId}/notes/{id}`, in
//! HighLevel v2 shapes. A contact or note of another location answers exactly like a missing one.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::contact::{Note, NoteInput};
use ivorey_core::ids::NoteId;
use ivorey_core::{ContactId, LocationId};
use ivorey_store::StoreError;
use serde_json::{Value, json};

use super::Granted;
use super::contacts::{NOT_FOUND, contact_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const NOTE_NOT_FOUND: ApiError = ApiError::NotFound("Note not found");

fn note_id(raw: &str) -> ApiResult<NoteId> {
    NoteId::parse(raw)
        .map_err(|_| ApiError::BadRequest("id must be a 20-character alphanumeric id".into()))
}

/// The contact's id, once it is known to be in the location.
async fn contact_in(state: &AppState, location: &LocationId, raw: &str) -> ApiResult<ContactId> {
    let id = contact_id(raw)?;
    state
        .store
        .get_contact(location, &id)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(id)
}

/// The note, once its contact is known to be in the location and the note on that contact.
async fn note_in(
    state: &AppState,
    location: &LocationId,
    (contact, id): &(String, String),
) -> ApiResult<Note> {
    let contact = contact_in(state, location, contact).await?;
    let id = note_id(id)?;
    state
        .store
        .get_note(location, &contact, &id)
        .await?
        .ok_or(NOTE_NOT_FOUND)
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(contact): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let contact = contact_in(&state, location, &contact).await?;
    let notes = state.store.list_notes(location, &contact).await?;
    let notes: Vec<Value> = notes.iter().map(Note::to_json).collect();
    Ok(ok(json!({ "notes": notes })))
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(contact): ApiPath<String>,
    ApiJson(body): ApiJson<NoteInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let contact = contact_in(&state, location, &contact).await?;
    let note = body.into_note(contact, state.clock.now(), &granted.changer())?;
    state
        .store
        .insert_note(location, &note)
        .await
        .map_err(|e| match e {
            // The contact was deleted meanwhile.
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "note": note.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let note = note_in(&state, location, &ids).await?;
    Ok(ok(json!({ "note": note.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<NoteInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let current = note_in(&state, location, &ids).await?;
    let note = body.apply_to(current, &granted.changer())?;
    state
        .store
        .update_note(location, &note)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOTE_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "note": note.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let note = note_in(&state, location, &ids).await?;
    state
        .store
        .delete_note(location, &note.contact_id, &note.id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOTE_NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "succeded": true })))
}
