//! The application services' one error type, in domain words. The HTTP layer maps it to its
//! status codes and bodies (`ApiError`), the CLI to its messages and exit codes.

use ivorey_core::ValidationErrors;
use ivorey_store::StoreError;

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Absent, or in another location (indistinguishable on purpose). The message names what.
    #[error("{0}")]
    NotFound(&'static str),
    /// The input failed validation: one problem per field.
    #[error("{}", .0.messages().join("; "))]
    Invalid(ValidationErrors),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Refused for now (spam control); may be tried again after this many seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database is unreachable; worth retrying.
    #[error("the database is unavailable")]
    Unavailable,
    /// A bug or an unexpected database error.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One validation problem: `field` and what is wrong with it.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationErrors::single(field, message))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("Not found"),
            StoreError::Conflict(what) => AppError::Conflict(what.to_owned()),
            StoreError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Other(cause) => AppError::Internal(cause),
        }
    }
}
