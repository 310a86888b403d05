//! Helpers the SQLite code written against rusqlite directly still shares (until it runs
//! through `ivorey_store::sql`): the conversion error of an unreadable value, and the audit
//! insert in a rusqlite transaction.

use ivorey_core::audit::AuditEvent;
use rusqlite::params;

/// A stored value that does not parse (a corrupted row) is a conversion error, not a panic.
pub(crate) fn conversion_err(
    column: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

pub(crate) fn insert_audit(tx: &rusqlite::Transaction<'_>, e: &AuditEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_events (location_id, integration_id, integration_name, actor,
            actor_user_id, action, detail, ip, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.location_id.as_str(),
        e.integration_id.as_ref().map(|i| i.as_str()),
        e.integration_name,
        e.actor,
        e.actor_user_id.as_ref().map(|u| u.as_str()),
        e.action.as_str(),
        e.detail,
        e.ip,
        e.at.0,
    ])?;
    Ok(())
}
