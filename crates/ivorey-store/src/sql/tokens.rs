//! Integration token hashes: issuing, rotating with a grace period, ending the grace early and
//! purging. The per-request lookup is each backend's (`SqlBackend::token_grant`).

use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::Integration;
use ivorey_core::{IntegrationId, LocationId, Timestamp, TokenHash};

use super::audit::insert_audit;
use super::db::Db;
use super::integration_rows::{lock, require};
use super::statement::{Param, Sql};
use crate::error::{StoreError, StoreResult};
use crate::params;

static INSERT: Sql = Sql::new(
    "INSERT INTO integration_tokens (token_hash, integration_id, hint, created_at, expires_at)
     VALUES ($1, $2, $3, $4, NULL)",
);
static DELETE_GRACE: Sql =
    Sql::new("DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at IS NOT NULL");
static START_GRACE: Sql = Sql::new(
    "UPDATE integration_tokens SET expires_at = $2
     WHERE integration_id = $1 AND expires_at IS NULL",
);
static DELETE_CURRENT: Sql =
    Sql::new("DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at IS NULL");
static END_GRACE: Sql =
    Sql::new("DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at > $2");
static TOUCH: Sql = Sql::new("UPDATE integrations SET updated_at = $2 WHERE id = $1");
static PURGE: Sql =
    Sql::new("DELETE FROM integration_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1");

/// The new token of a rotation, and when the replaced one stops working (`None`: at once).
#[derive(Debug, Clone)]
pub(super) struct Rotation {
    pub new_hash: TokenHash,
    pub new_hint: String,
    pub old_expires_at: Option<Timestamp>,
}

fn hash_param(hash: &TokenHash) -> Param<'_> {
    Param::Blob(Some(hash.as_bytes().as_slice()))
}

/// Stores `hash` as the integration's current token (no expiry of its own).
pub(super) async fn insert_current(
    db: &mut dyn Db,
    integration: &IntegrationId,
    hash: &TokenHash,
    hint: &str,
    created_at: Timestamp,
) -> StoreResult<()> {
    let p = params![hash_param(hash), integration, hint, created_at];
    match db.execute(&INSERT, p).await {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("token already exists")),
        other => other.map(drop),
    }
}

/// Replaces the current token, under the integration's row lock (see `lock`).
pub(super) async fn rotate(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
    rotation: &Rotation,
    now: Timestamp,
    audit: &AuditEvent,
) -> StoreResult<Integration> {
    lock(db, location, id).await?;
    // Only one token may be in grace: one still there from an earlier rotation ends now.
    db.execute(&DELETE_GRACE, params![id]).await?;
    match rotation.old_expires_at {
        Some(grace_end) => db.execute(&START_GRACE, params![id, grace_end]).await?,
        None => db.execute(&DELETE_CURRENT, params![id]).await?,
    };
    insert_current(db, id, &rotation.new_hash, &rotation.new_hint, now).await?;
    db.execute(&TOUCH, params![id, now]).await?;
    insert_audit(db, audit).await?;
    require(db, location, id, now).await
}

/// Deletes the token in grace at `now`; `NotFound` if there is none (or no such integration).
pub(super) async fn expire_previous(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
    audit: &AuditEvent,
) -> StoreResult<Integration> {
    lock(db, location, id).await?;
    db.change(&END_GRACE, params![id, now]).await?;
    // A token change is a change to the integration: its `updated_at` moves.
    db.execute(&TOUCH, params![id, now]).await?;
    insert_audit(db, audit).await?;
    require(db, location, id, now).await
}

/// Grace tokens whose end is at or before `now` no longer admit anything (`TokenGrant::admit`
/// refuses at the instant itself), so they go.
pub(super) async fn purge_expired(db: &mut dyn Db, now: Timestamp) -> StoreResult<u64> {
    db.execute(&PURGE, params![now]).await
}
