//! The error every store method returns. Its text is for logs only: the HTTP layer maps each
//! variant to a response that says nothing about the database.

/// What went wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record to change does not exist (in this location).
    #[error("record not found")]
    NotFound,
    /// A uniqueness rule was broken; the text names the rule, e.g. `email already registered`.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database could not be reached or timed out.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else from the driver.
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
