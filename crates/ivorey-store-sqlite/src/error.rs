//! Driver errors as `StoreError`s.

use ivorey_store::StoreError;
use rusqlite::ErrorCode;

/// Maps a driver error: lock timeouts and a search interrupted past its time budget are
/// `Unavailable`, the rest `Other`. Uniqueness violations are mapped where the caller knows
/// which rule was broken.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::OperationInterrupted,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Other(e.to_string()),
    }
}

/// True for a UNIQUE or PRIMARY KEY violation.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}
