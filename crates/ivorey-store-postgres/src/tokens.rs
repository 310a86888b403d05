//! The per-request token lookup on PostgreSQL (the rest of the token code is shared,
//! `ivorey_store::sql`): the grant cache while the listener vouches for it, else one query.

use ivorey_core::access::{LocationRateLimits, TokenGrant};
use ivorey_core::integration::IpAllowlist;
use ivorey_core::{ScopeSet, TokenHash};
use ivorey_store::StoreResult;

use crate::error::db_err;
use crate::row::{get, id, opt_ts};
use crate::store::PgStore;
use ivorey_store::sql::rate_limits::limit_from_db;

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
