//! The audit log in SQLite.

use ivorey_core::audit::{AuditAction, AuditEvent};
use ivorey_core::{IntegrationId, LocationId, Timestamp, UserId};
use ivorey_store::StoreResult;
use rusqlite::{Connection, Row, params};

use crate::db_err;
use crate::locations::conversion_err;

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let location: String = row.get(0)?;
    let integration: Option<String> = row.get(1)?;
    let actor_user: Option<String> = row.get(4)?;
    let action: String = row.get(5)?;
    Ok(AuditEvent {
        location_id: LocationId::parse(&location).map_err(|e| conversion_err(0, e))?,
        integration_id: integration
            .map(|i| IntegrationId::parse(&i))
            .transpose()
            .map_err(|e| conversion_err(1, e))?,
        integration_name: row.get(2)?,
        actor: row.get(3)?,
        actor_user_id: actor_user
            .map(|u| UserId::parse(&u))
            .transpose()
            .map_err(|e| conversion_err(4, e))?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| conversion_err(5, ivorey_core::ids::InvalidId))?,
        detail: row.get(6)?,
        ip: row.get(7)?,
        at: Timestamp(row.get(8)?),
    })
}

/// Newest first; only `integration`'s entries when given.
pub(crate) fn log(
    conn: &Connection,
    location: &LocationId,
    integration: Option<&IntegrationId>,
    limit: u32,
) -> StoreResult<Vec<AuditEvent>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT location_id, integration_id, integration_name, actor, actor_user_id, action,
                        detail, ip, at FROM audit_events
                     WHERE location_id = ?1 AND (?2 IS NULL OR integration_id = ?2)
                     ORDER BY id DESC LIMIT ?3",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(
            params![
                location.as_str(),
                integration.as_ref().map(|i| i.as_str()),
                limit
            ],
            audit_from_row,
        )
        .map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}
