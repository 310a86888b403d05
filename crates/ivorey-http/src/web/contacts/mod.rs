//! Contacts, as the business works them: the searchable list with bulk tagging, a contact's
//! page (fields, tags, notes, tasks, conversation), and create, edit and delete. Every page
//! calls the same store and validation as the public API, scoped to the signed-in user's
//! business; a contact of another business is "not found", exactly like a missing one.

pub(crate) mod delete;
pub(crate) mod detail;
pub(crate) mod edit;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod notes;
mod on_contact;
pub(crate) mod tags;
pub(crate) mod tasks;

use axum::http::StatusCode;
use ivorey_core::ContactId;
use ivorey_core::contact::Contact;

use super::error::{WebError, WebResult};
use super::shell::Shell;
use crate::state::AppState;

/// The "not found" page for a contact id that is malformed, missing or another business's.
pub(crate) fn missing() -> WebError {
    WebError::plain(
        StatusCode::NOT_FOUND,
        "Contact not found",
        "This contact does not exist in this business. It may have been deleted.",
    )
}

/// The contact a page is about.
pub(crate) async fn load(state: &AppState, shell: &Shell, id: &str) -> WebResult<Contact> {
    let id = ContactId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_contact(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}

/// The path of a contact's page, plus `rest`.
pub(crate) fn path(shell: &Shell, id: &ContactId, rest: &str) -> String {
    shell.at(&format!("/contacts/{id}{rest}"))
}
