//! The audit insert for the code still written against the driver (rate limits); the shared
//! store code has its own (`ivorey_store::sql::audit`).

use deadpool_postgres::GenericClient;
use ivorey_core::IntegrationId;
use ivorey_core::audit::AuditEvent;
use ivorey_store::StoreResult;

use crate::error::db_err;

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
