//! Contacts import from CSV: upload (`upload.rs`, the file checked by `parse.rs` before
//! anything is stored), the mapping of columns to fields with a preview (`mapping.rs`), and the
//! progress page with the refused rows (`progress.rs`). The rows are applied by the worker in
//! `ivorey_app::imports`. An import of another business is "not found", like a missing one.

pub(crate) mod mapping;
pub(crate) mod parse;
pub(crate) mod progress;
pub(crate) mod upload;

use axum::http::StatusCode;
use ivorey_core::ids::ImportId;
use ivorey_store::ContactImport;

use crate::state::AppState;
use crate::web::error::{WebError, WebResult};
use crate::web::shell::Shell;

/// The "not found" page for an import id that is malformed, missing or another business's.
fn missing() -> WebError {
    WebError::plain(
        StatusCode::NOT_FOUND,
        "Import not found",
        "This import does not exist in this business.",
    )
}

/// The import a page is about.
async fn load(state: &AppState, shell: &Shell, id: &str) -> WebResult<ContactImport> {
    let id = ImportId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_import(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}

/// The path of an import's page, plus `rest`.
fn path(shell: &Shell, id: &ImportId, rest: &str) -> String {
    shell.at(&format!("/contacts/import/{id}{rest}"))
}
