//! Daily usage counters and `last_used_at`, written in batches by the usage recorder: one
//! transaction per flush, whatever the request rate.

use std::collections::BTreeMap;

use ivorey_core::{IntegrationId, LocationId, Scope};

use super::db::{Db, Row};
use super::statement::{Dialect, Param, Sql};
use crate::error::StoreResult;
use crate::params;
use crate::records::{UsageBatch, UsageRow};

/// The whole batch in one statement: entries of deleted integrations are skipped by the
/// `EXISTS`, not refused by the foreign key, so one deleted integration cannot lose the rest.
static ADD_ALL_PG: Sql = Sql::new(
    "INSERT INTO integration_usage (integration_id, day, scope, count)
     SELECT u.id, u.day, u.scope, u.count
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])
         WITH ORDINALITY AS u(id, day, scope, count, n)
     WHERE EXISTS (SELECT 1 FROM integrations i WHERE i.id = u.id)
     ORDER BY u.n
     ON CONFLICT (integration_id, day, scope)
     DO UPDATE SET count = integration_usage.count + EXCLUDED.count",
);
/// The guard skips rows already as recent, so a flush rewrites no unchanged row; the
/// GREATEST keeps last_used_at from ever moving backwards.
static TOUCH_ALL_PG: Sql = Sql::new(
    "UPDATE integrations i
     SET last_used_at = GREATEST(COALESCE(i.last_used_at, 0), u.at)
     FROM unnest($1::text[], $2::bigint[]) AS u(id, at)
     WHERE i.id = u.id AND (i.last_used_at IS NULL OR i.last_used_at < u.at)",
);
/// SQLite has no arrays: one (prepared once) statement per row, all in one transaction.
static ADD_ONE_SQLITE: Sql = Sql::new(
    "INSERT INTO integration_usage (integration_id, day, scope, count)
     SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM integrations WHERE id = $1)
     ON CONFLICT (integration_id, day, scope) DO UPDATE SET count = count + excluded.count",
);
static TOUCH_ONE_SQLITE: Sql = Sql::new(
    "UPDATE integrations SET last_used_at = MAX(COALESCE(last_used_at, 0), $2) WHERE id = $1",
);
/// The join to integrations is the tenant check: another location's integration id yields
/// nothing.
static ROWS: Sql = Sql::new(
    "SELECT u.day, u.scope, u.count FROM integration_usage u
     JOIN integrations i ON i.id = u.integration_id
     WHERE u.integration_id = $1 AND i.location_id = $2 AND u.day >= $3
     ORDER BY u.day, u.scope",
);

/// A batch with its duplicates merged, as columns. One `INSERT ... ON CONFLICT` may not touch
/// the same row twice; the sort also makes concurrent batches from several nodes lock rows in
/// the same order, so they cannot deadlock each other.
#[derive(Debug, Clone)]
pub(super) struct Merged {
    ids: Vec<String>,
    days: Vec<i64>,
    scopes: Vec<String>,
    counts: Vec<i64>,
    used_ids: Vec<String>,
    used_at: Vec<i64>,
}

impl Merged {
    /// `None` for an empty batch, which writes nothing.
    pub(super) fn of(batch: &UsageBatch) -> Option<Merged> {
        if batch.counts.is_empty() && batch.last_used.is_empty() {
            return None;
        }
        let mut counts: BTreeMap<(&str, i64, &str), u64> = BTreeMap::new();
        for c in &batch.counts {
            let scope = c.scope.map_or("", Scope::name);
            let slot = counts
                .entry((c.integration_id.as_str(), c.day, scope))
                .or_default();
            *slot = slot.saturating_add(c.count);
        }
        let mut last_used: BTreeMap<&str, i64> = BTreeMap::new();
        for (id, at) in &batch.last_used {
            let slot = last_used.entry(id.as_str()).or_insert(at.millis());
            *slot = (*slot).max(at.millis());
        }
        Some(Merged {
            ids: counts.keys().map(|k| k.0.to_owned()).collect(),
            days: counts.keys().map(|k| k.1).collect(),
            scopes: counts.keys().map(|k| k.2.to_owned()).collect(),
            // Counts beyond `i64::MAX` cannot happen in practice: they saturate rather than
            // fail a whole batch.
            counts: counts
                .values()
                .map(|&n| i64::try_from(n).unwrap_or(i64::MAX))
                .collect(),
            used_ids: last_used.keys().map(|&k| k.to_owned()).collect(),
            used_at: last_used.values().copied().collect(),
        })
    }
}

/// Adds the batch's counts and moves `last_used_at` forward, in the work's transaction.
pub(super) async fn record(db: &mut dyn Db, m: &Merged) -> StoreResult<()> {
    match db.dialect() {
        Dialect::Postgres => {
            if !m.ids.is_empty() {
                let p = params![
                    Param::TextArray(&m.ids),
                    Param::IntArray(&m.days),
                    Param::TextArray(&m.scopes),
                    Param::IntArray(&m.counts)
                ];
                db.execute(&ADD_ALL_PG, p).await?;
            }
            if !m.used_ids.is_empty() {
                let p = params![Param::TextArray(&m.used_ids), Param::IntArray(&m.used_at)];
                db.execute(&TOUCH_ALL_PG, p).await?;
            }
        }
        Dialect::Sqlite => {
            for (i, id) in m.ids.iter().enumerate() {
                let p = params![id, m.days[i], &m.scopes[i], m.counts[i]];
                db.execute(&ADD_ONE_SQLITE, p).await?;
            }
            for (id, &at) in m.used_ids.iter().zip(&m.used_at) {
                db.execute(&TOUCH_ONE_SQLITE, params![id, at]).await?;
            }
        }
    }
    Ok(())
}

/// Counts of one integration of `location` from `from_day` on, oldest day first.
pub(super) async fn rows(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
    from_day: i64,
) -> StoreResult<Vec<UsageRow>> {
    db.rows(&ROWS, params![id, location, from_day], usage_row)
        .await
}

fn usage_row(row: &dyn Row) -> StoreResult<UsageRow> {
    Ok(UsageRow {
        day: row.int(0)?,
        scope: row.string(1)?,
        // The column only ever holds sums of non-negative counts.
        count: u64::try_from(row.int(2)?).unwrap_or(0),
    })
}
