//! Maps driver and pool errors to `StoreError`, in one place: unique violations become named
//! conflicts, lost connections become `Unavailable`, the rest `Other` with text for logs only.

use std::error::Error as _;

use deadpool_postgres::PoolError;
use ivorey_store::StoreError;
use tokio_postgres::error::SqlState;

/// Which rule a unique constraint (by PostgreSQL's default name) stands for.
fn conflict_for(constraint: Option<&str>) -> &'static str {
    match constraint {
        Some("users_email_key") => "email already registered",
        Some("users_pkey") => "user already exists",
        Some("locations_pkey") => "location already exists",
        Some("integrations_pkey") => "integration already exists",
        Some("integration_tokens_pkey") => "token already exists",
        Some("sessions_pkey") => "session already exists",
        Some("contacts_pkey") => "contact already exists",
        _ => "record already exists",
    }
}

/// Converts a driver error. The message keeps the server's message and SQLSTATE but never its
/// DETAIL, which can quote row values such as a token hash.
pub(crate) fn db_err(e: tokio_postgres::Error) -> StoreError {
    let Some(db) = e.as_db_error() else {
        // Without a server error, either the connection failed or a value did not convert.
        let lost = e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>());
        let text = describe(&e);
        return if lost {
            StoreError::Unavailable(text)
        } else {
            StoreError::Other(text)
        };
    };
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        return StoreError::Conflict(conflict_for(db.constraint()));
    }
    // A row points at a location, user or integration that does not exist (or was just
    // deleted): to the caller that is the record not being found.
    if *code == SqlState::FOREIGN_KEY_VIOLATION {
        return StoreError::NotFound;
    }
    let text = format!("{} (SQLSTATE {})", db.message(), code.code());
    let unavailable = code.code().starts_with("08")
        || [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::QUERY_CANCELED,
        ]
        .contains(code);
    if unavailable {
        StoreError::Unavailable(text)
    } else {
        StoreError::Other(text)
    }
}

/// Converts a pool error: every way of not getting a connection is `Unavailable`.
pub(crate) fn pool_err(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => match e.as_db_error() {
            Some(db) => {
                StoreError::Unavailable(format!("{} (SQLSTATE {})", db.message(), db.code().code()))
            }
            None => StoreError::Unavailable(describe(&e)),
        },
        PoolError::Timeout(kind) => {
            StoreError::Unavailable(format!("timed out getting a connection ({kind:?})"))
        }
        PoolError::Closed => StoreError::Unavailable("connection pool closed".into()),
        other => StoreError::Other(other.to_string()),
    }
}

/// The driver's message and its cause, e.g. `error connecting to server: Connection refused`.
/// The driver never includes the connection string in either.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// A value read from the database that no longer fits the domain (a corrupted or hand-edited
/// row).
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("unreadable {what} in the database"))
}
