//! The audit log: written in the transaction of the change it records, read newest first.

use ivorey_core::audit::{AuditAction, AuditEvent};
use ivorey_core::{IntegrationId, LocationId};

use super::{Db, Row, Sql, corrupt, id, opt_id, ts};
use crate::{StoreResult, params};

static INSERT: Sql = Sql::new(
    "INSERT INTO audit_events (location_id, integration_id, integration_name, actor,
         actor_user_id, action, detail, ip, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
);
static OF_INTEGRATION: Sql = Sql::new(
    "SELECT location_id, integration_id, integration_name, actor, actor_user_id, action, detail,
         ip, at
     FROM audit_events WHERE integration_id = $1 AND location_id = $2 ORDER BY id DESC LIMIT $3",
);
static OF_LOCATION: Sql = Sql::new(
    "SELECT location_id, integration_id, integration_name, actor, actor_user_id, action, detail,
         ip, at
     FROM audit_events WHERE location_id = $1 ORDER BY id DESC LIMIT $2",
);

/// Records `event` in the work's transaction.
pub async fn insert_audit(db: &mut dyn Db, event: &AuditEvent) -> StoreResult<()> {
    let p = params![
        &event.location_id,
        event.integration_id.as_ref(),
        &event.integration_name,
        &event.actor,
        event.actor_user_id.as_ref(),
        event.action.as_str(),
        &event.detail,
        &event.ip,
        event.at
    ];
    db.execute(&INSERT, p).await.map(drop)
}

/// The newest `limit` events of the location, or of one of its integrations.
pub async fn list_audit(
    db: &mut dyn Db,
    location: &LocationId,
    integration: Option<&IntegrationId>,
    limit: u32,
) -> StoreResult<Vec<AuditEvent>> {
    let limit = i64::from(limit);
    match integration {
        Some(i) => {
            db.rows(&OF_INTEGRATION, params![i, location, limit], event)
                .await
        }
        None => db.rows(&OF_LOCATION, params![location, limit], event).await,
    }
}

fn event(row: &dyn Row) -> StoreResult<AuditEvent> {
    let action = AuditAction::parse(row.str(5)?).ok_or_else(|| corrupt("audit action"))?;
    Ok(AuditEvent {
        location_id: id(row, 0)?,
        integration_id: opt_id(row, 1)?,
        integration_name: row.opt_string(2)?,
        actor: row.string(3)?,
        actor_user_id: opt_id(row, 4)?,
        action,
        detail: row.string(6)?,
        ip: row.opt_string(7)?,
        at: ts(row, 8)?,
    })
}
