//! Per-location rate-limit overrides in SQLite. SQLite serves one node, so it has no shared
//! counters: the server counts in memory.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::audit::AuditEvent;
use ivorey_store::{LocationRateLimits, RateLimitStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::error::db_err;
use crate::locations::insert_audit;
use crate::store::SqliteStore;

/// Limits are checked to be at most `i64::MAX` by callers; a stored value is positive.
fn to_db(limit: Option<u64>) -> Option<i64> {
    limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

pub(crate) fn limit_from_db(limit: Option<i64>) -> Option<u64> {
    limit.and_then(|n| u64::try_from(n).ok())
}

#[async_trait]
impl RateLimitStore for SqliteStore {
    async fn location_rate_limits(&self, location: &LocationId) -> StoreResult<LocationRateLimits> {
        self.read_now(|conn| {
            let row = conn
                .prepare_cached(
                    "SELECT burst_max, daily_max FROM location_rate_limits WHERE location_id = ?1",
                )
                .map_err(db_err)?
                .query_row([location.as_str()], |r| {
                    Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
                })
                .optional()
                .map_err(db_err)?;
            Ok(
                row.map_or_else(LocationRateLimits::default, |(burst, daily)| {
                    LocationRateLimits {
                        burst_max: limit_from_db(burst),
                        daily_max: limit_from_db(daily),
                    }
                }),
            )
        })
    }

    async fn set_location_rate_limits(
        &self,
        location: &LocationId,
        limits: &LocationRateLimits,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (location, limits, audit) = (location.clone(), *limits, audit.clone());
        self.call(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM locations WHERE id = ?1)",
                    [location.as_str()],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            if !exists {
                return Err(StoreError::NotFound);
            }
            tx.execute(
                "INSERT INTO location_rate_limits (location_id, burst_max, daily_max, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (location_id) DO UPDATE SET burst_max = excluded.burst_max,
                    daily_max = excluded.daily_max, updated_at = excluded.updated_at",
                params![
                    location.as_str(),
                    to_db(limits.burst_max),
                    to_db(limits.daily_max),
                    audit.at.0
                ],
            )
            .map_err(db_err)?;
            insert_audit(&tx, &audit).map_err(db_err)?;
            tx.commit().map_err(db_err)
        })
        .await?;
        // Cached grants carry their location's limits. Such changes are rare, so all go
        // (the cache has no index by location); the next request of each token reads anew.
        self.grants.clear();
        Ok(())
    }
}
