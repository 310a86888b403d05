//! Integration token hashes: issuing, rotating with a grace period, ending the grace early,
//! purging, and the per-request lookup.

use deadpool_postgres::GenericClient;
use ivorey_core::access::{LocationRateLimits, TokenGrant};
use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::{Integration, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};
use ivorey_store::{StoreError, StoreResult};

use crate::error::db_err;
use crate::integrations::{load, lock};
use crate::rate_limits::limit_from_db;
use crate::row::{get, id, opt_ts};
use crate::{PgStore, audit};

/// The new token of a rotation, and when the replaced one stops working (`None`: at once).
pub(crate) struct Rotation<'a> {
    pub new_hash: &'a TokenHash,
    pub new_hint: &'a str,
    pub old_expires_at: Option<Timestamp>,
}

/// Stores `hash` as the integration's current token (no expiry of its own).
pub(crate) async fn insert_current<C: GenericClient>(
    client: &C,
    integration: &IntegrationId,
    hash: &TokenHash,
    hint: &str,
    created_at: Timestamp,
) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO integration_tokens (token_hash, integration_id, hint, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, NULL)",
            &[
                &hash.as_bytes().as_slice(),
                &integration.as_str(),
                &hint,
                &created_at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Replaces the current token, all in one transaction under the integration's row lock.
pub(crate) async fn rotate(
    store: &PgStore,
    location: &LocationId,
    id: &IntegrationId,
    rotation: &Rotation<'_>,
    now: Timestamp,
    audit: &AuditEvent,
) -> StoreResult<Integration> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(db_err)?;
    lock(&tx, location, id).await?;
    // Only one token may be in grace: one still there from an earlier rotation ends now.
    tx.execute(
        "DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at IS NOT NULL",
        &[&id.as_str()],
    )
    .await
    .map_err(db_err)?;
    let replaced = match rotation.old_expires_at {
        Some(grace_end) => {
            tx.execute(
                "UPDATE integration_tokens SET expires_at = $2 \
                 WHERE integration_id = $1 AND expires_at IS NULL",
                &[&id.as_str(), &grace_end.millis()],
            )
            .await
        }
        None => {
            tx.execute(
                "DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at IS NULL",
                &[&id.as_str()],
            )
            .await
        }
    };
    replaced.map_err(db_err)?;
    insert_current(&tx, id, rotation.new_hash, rotation.new_hint, now).await?;
    touch(&tx, id, now).await?;
    audit::insert(&tx, audit).await?;
    let integration = load(&tx, location, id, now)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(db_err)?;
    Ok(integration)
}

/// Deletes the token in grace at `now`; `NotFound` if there is none (or no such integration).
pub(crate) async fn expire_previous(
    store: &PgStore,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
    audit: &AuditEvent,
) -> StoreResult<Integration> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(db_err)?;
    lock(&tx, location, id).await?;
    let ended = tx
        .execute(
            "DELETE FROM integration_tokens WHERE integration_id = $1 AND expires_at > $2",
            &[&id.as_str(), &now.millis()],
        )
        .await
        .map_err(db_err)?;
    if ended == 0 {
        return Err(StoreError::NotFound);
    }
    touch(&tx, id, now).await?;
    audit::insert(&tx, audit).await?;
    let integration = load(&tx, location, id, now)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(db_err)?;
    Ok(integration)
}

/// A token change is a change to the integration: its `updated_at` moves.
async fn touch<C: GenericClient>(
    client: &C,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<()> {
    client
        .execute(
            "UPDATE integrations SET updated_at = $2 WHERE id = $1",
            &[&id.as_str(), &now.millis()],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The hot path, run on every API request: the node's grant cache while its listener vouches
/// for it (see `auth_listener.rs`), else the database.
pub(crate) async fn cached_grant(
    store: &PgStore,
    hash: &TokenHash,
) -> StoreResult<Option<TokenGrant>> {
    store.listener.ensure_started(&store.grants);
    store
        .grants
        .get_or_load(hash, true, || grant(store, hash))
        .await
}

/// One primary-key lookup joined to its integration, with the statement prepared once per
/// pooled connection.
async fn grant(store: &PgStore, hash: &TokenHash) -> StoreResult<Option<TokenGrant>> {
    let client = store.client().await?;
    let statement = client
        .prepare_cached(
            "SELECT i.id, i.location_id, i.scopes, t.expires_at AS token_expires_at, \
             i.expires_at AS integration_expires_at, i.ip_allowlist, r.burst_max, r.daily_max \
             FROM integration_tokens t JOIN integrations i ON i.id = t.integration_id \
             LEFT JOIN location_rate_limits r ON r.location_id = i.location_id \
             WHERE t.token_hash = $1",
        )
        .await
        .map_err(db_err)?;
    let row = client
        .query_opt(&statement, &[&hash.as_bytes().as_slice()])
        .await
        .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(TokenGrant {
        integration_id: id(&row, "id")?,
        location_id: id(&row, "location_id")?,
        scopes: ScopeSet::from_storage(get(&row, "scopes")?),
        token_expires_at: opt_ts(&row, "token_expires_at")?,
        integration_expires_at: opt_ts(&row, "integration_expires_at")?,
        ip_allowlist: IpAllowlist::from_storage(get(&row, "ip_allowlist")?),
        rate_limits: LocationRateLimits {
            burst_max: limit_from_db(get(&row, "burst_max")?),
            daily_max: limit_from_db(get(&row, "daily_max")?),
        },
    }))
}

/// Grace tokens whose end is at or before `now` no longer admit anything (`TokenGrant::admit`
/// refuses at the instant itself), so they go.
pub(crate) async fn purge_expired(store: &PgStore, now: Timestamp) -> StoreResult<u64> {
    let client = store.client().await?;
    client
        .execute(
            "DELETE FROM integration_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1",
            &[&now.millis()],
        )
        .await
        .map_err(db_err)
}
