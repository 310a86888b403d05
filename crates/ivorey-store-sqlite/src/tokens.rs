//! The hot-path token lookup in SQLite: the grant cache, checked fresh first (see
//! `auth_epoch.rs`), and on a miss one indexed point query.

use ivorey_core::access::{LocationRateLimits, TokenGrant};
use ivorey_core::integration::IpAllowlist;
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};
use ivorey_store::StoreResult;
use rusqlite::{Connection, OptionalExtension};

use crate::error::db_err;
use crate::store::SqliteStore;
use ivorey_store::sql::rate_limits::limit_from_db;

/// What the token with this hash grants, from the cache when it is known to be current.
pub(crate) async fn cached_grant(
    store: &SqliteStore,
    hash: &TokenHash,
) -> StoreResult<Option<TokenGrant>> {
    let fresh = store.epoch_watch.refresh(&store.grants);
    let load = || std::future::ready(store.read_now(|conn| grant(conn, hash)));
    store.grants.get_or_load(hash, fresh, load).await
}

/// What the token with this hash grants, if it exists.
pub(crate) fn grant(conn: &Connection, hash: &TokenHash) -> StoreResult<Option<TokenGrant>> {
    conn.prepare_cached(
        "SELECT i.id, i.location_id, i.scopes, t.expires_at, i.expires_at, i.ip_allowlist,
                r.burst_max, r.daily_max
                 FROM integration_tokens t JOIN integrations i ON i.id = t.integration_id
                 LEFT JOIN location_rate_limits r ON r.location_id = i.location_id
                 WHERE t.token_hash = ?1",
    )
    .map_err(db_err)?
    .query_row([&hash.0[..]], |row| {
        let id: String = row.get(0)?;
        let location: String = row.get(1)?;
        let scopes: String = row.get(2)?;
        let allowlist: String = row.get(5)?;
        Ok(TokenGrant {
            integration_id: IntegrationId::parse(&id).map_err(|e| conversion_err(0, e))?,
            location_id: LocationId::parse(&location).map_err(|e| conversion_err(1, e))?,
            scopes: ScopeSet::from_storage(&scopes),
            token_expires_at: row.get::<_, Option<i64>>(3)?.map(Timestamp),
            integration_expires_at: row.get::<_, Option<i64>>(4)?.map(Timestamp),
            ip_allowlist: IpAllowlist::from_storage(&allowlist),
            rate_limits: LocationRateLimits {
                burst_max: limit_from_db(row.get(6)?),
                daily_max: limit_from_db(row.get(7)?),
            },
        })
    })
    .optional()
    .map_err(db_err)
}

/// A stored value that does not parse (a corrupted row) is a conversion error, not a panic.
fn conversion_err(
    column: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}
