//! The audit trail: appended inside the transaction of the change it records, read newest
//! first.

use deadpool_postgres::GenericClient;
use ivorey_core::audit::{AuditAction, AuditEvent};
use ivorey_core::{IntegrationId, LocationId};
use ivorey_store::StoreResult;
use tokio_postgres::Row;

use crate::error::{corrupt, db_err};
use crate::row::{get, id, opt_id, ts};

/// Appends `event`; callers pass their transaction so the change and its entry commit together.
pub(crate) async fn insert<C: GenericClient>(client: &C, event: &AuditEvent) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO audit_events (location_id, integration_id, integration_name, actor, \
             actor_user_id, action, detail, ip, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &event.location_id.as_str(),
                &event.integration_id.as_ref().map(IntegrationId::as_str),
                &event.integration_name,
                &event.actor,
                &event.actor_user_id.as_ref().map(|u| u.as_str()),
                &event.action.as_str(),
                &event.detail,
                &event.ip,
                &event.at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

const COLUMNS: &str = "location_id, integration_id, integration_name, actor, actor_user_id, \
                       action, detail, ip, at";

/// Newest first by insertion order (the identity column), not by `at`: entries written in the
/// same millisecond keep their order.
pub(crate) async fn list<C: GenericClient>(
    client: &C,
    location: &LocationId,
    integration: Option<&IntegrationId>,
    limit: u32,
) -> StoreResult<Vec<AuditEvent>> {
    let limit = i64::from(limit);
    // Two statements rather than `$2 IS NULL OR ...`, so each can use its own index.
    let rows = match integration {
        Some(integration) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM audit_events WHERE integration_id = $1 AND location_id = $2 \
                 ORDER BY id DESC LIMIT $3"
            );
            client
                .query(&sql, &[&integration.as_str(), &location.as_str(), &limit])
                .await
        }
        None => {
            let sql = format!(
                "SELECT {COLUMNS} FROM audit_events WHERE location_id = $1 \
                 ORDER BY id DESC LIMIT $2"
            );
            client.query(&sql, &[&location.as_str(), &limit]).await
        }
    }
    .map_err(db_err)?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &Row) -> StoreResult<AuditEvent> {
    let action = AuditAction::parse(get(row, "action")?).ok_or_else(|| corrupt("audit action"))?;
    Ok(AuditEvent {
        location_id: id(row, "location_id")?,
        integration_id: opt_id(row, "integration_id")?,
        integration_name: get(row, "integration_name")?,
        actor: get(row, "actor")?,
        actor_user_id: opt_id(row, "actor_user_id")?,
        action,
        detail: get(row, "detail")?,
        ip: get(row, "ip")?,
        at: ts(row, "at")?,
    })
}
