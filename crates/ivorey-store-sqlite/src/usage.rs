//! Batched usage counters in SQLite: one transaction per flush, whatever the request rate.

use ivorey_core::{IntegrationId, LocationId};
use ivorey_store::{StoreResult, UsageBatch, UsageRow};
use rusqlite::{Connection, TransactionBehavior, params};

use crate::db_err;

pub(crate) fn record(conn: &mut Connection, batch: &UsageBatch) -> StoreResult<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    {
        // The EXISTS guard drops counts of integrations deleted since the requests were made.
        let mut add = tx
            .prepare_cached(
                "INSERT INTO integration_usage (integration_id, day, scope, count)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM integrations WHERE id = ?1)
                 ON CONFLICT (integration_id, day, scope) DO UPDATE SET count = count + excluded.count",
            )
            .map_err(db_err)?;
        for c in &batch.counts {
            let scope = c.scope.map_or("", |s| s.name());
            add.execute(params![
                c.integration_id.as_str(),
                c.day,
                scope,
                c.count as i64
            ])
            .map_err(db_err)?;
        }
        let mut touch = tx
            .prepare_cached(
                "UPDATE integrations SET last_used_at = MAX(COALESCE(last_used_at, 0), ?2) WHERE id = ?1",
            )
            .map_err(db_err)?;
        for (id, at) in &batch.last_used {
            touch.execute(params![id.as_str(), at.0]).map_err(db_err)?;
        }
    }
    tx.commit().map_err(db_err)
}

pub(crate) fn rows(
    conn: &Connection,
    location: &LocationId,
    id: &IntegrationId,
    from_day: i64,
) -> StoreResult<Vec<UsageRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT u.day, u.scope, u.count FROM integration_usage u
             JOIN integrations i ON i.id = u.integration_id
             WHERE u.integration_id = ?1 AND i.location_id = ?2 AND u.day >= ?3
             ORDER BY u.day, u.scope",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![id.as_str(), location.as_str(), from_day], |r| {
            Ok(UsageRow {
                day: r.get(0)?,
                scope: r.get(1)?,
                count: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })
        .map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}
