//! Per-location rate-limit overrides (`RateLimitStore`). The counters shared by several nodes
//! are the backend's (`SqlBackend::shared_rate_counter`: PostgreSQL's one-statement reservation;
//! SQLite serves one node, which counts in memory).

use std::sync::Arc;

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::audit::AuditEvent;

use super::audit::insert_audit;
use super::{Sql, SqlBackend};
use crate::{
    LocationRateLimits, RateCounter, RateLimitStore, StoreError, StoreResult, params, run,
};

static GET: Sql =
    Sql::new("SELECT burst_max, daily_max FROM location_rate_limits WHERE location_id = $1");

/// Selecting from `locations` makes an unknown location insert nothing (`NotFound`) instead of
/// failing the foreign key.
static SET: Sql = Sql::new(
    "INSERT INTO location_rate_limits (location_id, burst_max, daily_max, updated_at)
     SELECT id, $2, $3, $4 FROM locations WHERE id = $1
     ON CONFLICT (location_id) DO UPDATE SET burst_max = excluded.burst_max,
        daily_max = excluded.daily_max, updated_at = excluded.updated_at",
);

/// Callers keep limits at most `i64::MAX`; the cast saturates anyway.
fn to_db(limit: Option<u64>) -> Option<i64> {
    limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// A stored override (positive by the table's CHECK); anything else reads as the default. The
/// token lookups read the overrides with the grant, through this too.
pub fn limit_from_db(limit: Option<i64>) -> Option<u64> {
    limit.and_then(|n| u64::try_from(n).ok())
}

#[async_trait]
impl<B: SqlBackend> RateLimitStore for B {
    async fn location_rate_limits(&self, location: &LocationId) -> StoreResult<LocationRateLimits> {
        run!(self.lookup, [location], |db| {
            let found = db
                .opt(&GET, params![&location], |row| {
                    Ok(LocationRateLimits {
                        burst_max: limit_from_db(row.opt_int(0)?),
                        daily_max: limit_from_db(row.opt_int(1)?),
                    })
                })
                .await?;
            Ok(found.unwrap_or_default())
        })
    }

    async fn set_location_rate_limits(
        &self,
        location: &LocationId,
        limits: &LocationRateLimits,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (burst, daily) = (to_db(limits.burst_max), to_db(limits.daily_max));
        run!(self.write, [location, audit], |db| {
            let changed = db
                .execute(&SET, params![&location, burst, daily, audit.at])
                .await?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            insert_audit(db, &audit).await
        })?;
        // Cached grants carry their location's limits. Such changes are rare, so all go (the
        // cache has no index by location); other nodes hear of it through the database.
        self.grants().clear();
        Ok(())
    }

    fn shared_rate_counter(&self) -> Option<Arc<dyn RateCounter>> {
        SqlBackend::shared_rate_counter(self)
    }
}
