//! What the forms of a record on a contact's page (a note, a task) share: where they go back
//! to, and what the owner reads when the record is refused or no longer there.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::{ContactId, ValidationErrors};
use ivorey_store::StoreError;

use super::path;
use crate::web::error::WebError;
use crate::web::shell::Shell;

/// One kind of record on a contact's page.
pub(crate) struct OnContact {
    /// `note`, `task`: in the sentences below.
    pub noun: &'static str,
    /// `Note`, `Task`: the start of a title.
    pub title: &'static str,
    /// The card's anchor on the contact's page.
    pub anchor: &'static str,
}

pub(crate) const NOTE: OnContact = OnContact {
    noun: "note",
    title: "Note",
    anchor: "#notes",
};

pub(crate) const TASK: OnContact = OnContact {
    noun: "task",
    title: "Task",
    anchor: "#tasks",
};

impl OnContact {
    /// Back to the contact's card, with `?done=` for its confirmation.
    pub(crate) fn back(&self, shell: &Shell, contact: &ContactId, done: &str) -> Response {
        let target = path(shell, contact, &format!("?done={done}{}", self.anchor));
        Redirect::to(&target).into_response()
    }

    /// The record's problems, in the words the owner reads (the API's field names replaced).
    pub(crate) fn refused(&self, e: ValidationErrors) -> WebError {
        let message = e.messages().join("; ").replace("dueDate", "The due time");
        WebError::plain(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("The {} was not saved", self.noun),
            &format!("{message}. Go back and try again."),
        )
    }

    pub(crate) fn missing(&self) -> WebError {
        WebError::plain(
            StatusCode::NOT_FOUND,
            &format!("{} not found", self.title),
            &format!(
                "This {} does not exist. It may have been deleted.",
                self.noun
            ),
        )
    }

    /// A store error, with "not found" (another contact's or location's record) as `missing`.
    pub(crate) fn not_found(&self, e: StoreError) -> WebError {
        match e {
            StoreError::NotFound => self.missing(),
            other => other.into(),
        }
    }
}
