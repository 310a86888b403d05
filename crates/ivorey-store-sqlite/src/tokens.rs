//! The hot-path token lookup in SQLite: the grant cache, checked fresh first (see
//! `auth_epoch.rs`), and on a miss one indexed point query.

use ivorey_core::access::{LocationRateLimits, TokenGrant};
use ivorey_core::integration::IpAllowlist;
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};
use ivorey_store::StoreResult;
use ivorey_store::grant_cache::Lookup;
use rusqlite::{Connection, OptionalExtension};

use crate::locations::conversion_err;
use crate::rate_limits::limit_from_db;
use crate::{SqliteStore, db_err};

/// What the token with this hash grants, from the cache when it is known to be current.
pub(crate) fn cached_grant(
    store: &SqliteStore,
    hash: &TokenHash,
) -> StoreResult<Option<TokenGrant>> {
    let from_db = || store.read_now(|conn| grant(conn, hash));
    if !store.epoch_watch.refresh(&store.grants) {
        store.grants.count_bypass();
        return from_db();
    }
    match store.grants.lookup(hash) {
        Lookup::Hit(grant) => Ok(Some(grant)),
        Lookup::Bypass => from_db(),
        Lookup::Miss(ticket) => {
            let found = from_db()?;
            if let Some(grant) = &found {
                store.grants.fill(ticket, *hash, grant);
            }
            Ok(found)
        }
    }
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
