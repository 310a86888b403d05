//! Daily usage counters and `last_used_at`, written in batches by the usage recorder.

use std::collections::BTreeMap;

use ivorey_core::{IntegrationId, LocationId, Scope};
use ivorey_store::{StoreResult, UsageBatch, UsageRow};

use crate::PgStore;
use crate::error::db_err;
use crate::row::{from_db_count, get, to_db_count};

/// Adds a batch in one transaction and two statements, whatever its size. Entries of deleted
/// integrations are skipped by the `EXISTS`, not refused by the foreign key, so one deleted
/// integration cannot lose the rest of the batch.
pub(crate) async fn record(store: &PgStore, batch: &UsageBatch) -> StoreResult<()> {
    if batch.counts.is_empty() && batch.last_used.is_empty() {
        return Ok(());
    }
    // Merge duplicates first: one INSERT ... ON CONFLICT may not touch the same row twice.
    // The BTreeMap also sorts the keys, so concurrent batches from several nodes lock rows in
    // the same order and cannot deadlock each other.
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

    let ids: Vec<&str> = counts.keys().map(|k| k.0).collect();
    let days: Vec<i64> = counts.keys().map(|k| k.1).collect();
    let scopes: Vec<&str> = counts.keys().map(|k| k.2).collect();
    let amounts: Vec<i64> = counts.values().map(|&n| to_db_count(n)).collect();
    let used_ids: Vec<&str> = last_used.keys().copied().collect();
    let used_at: Vec<i64> = last_used.values().copied().collect();

    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(db_err)?;
    if !ids.is_empty() {
        tx.execute(
            "INSERT INTO integration_usage (integration_id, day, scope, count) \
             SELECT u.id, u.day, u.scope, u.count \
             FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) \
                 WITH ORDINALITY AS u(id, day, scope, count, n) \
             WHERE EXISTS (SELECT 1 FROM integrations i WHERE i.id = u.id) \
             ORDER BY u.n \
             ON CONFLICT (integration_id, day, scope) \
             DO UPDATE SET count = integration_usage.count + EXCLUDED.count",
            &[&ids, &days, &scopes, &amounts],
        )
        .await
        .map_err(db_err)?;
    }
    if !used_ids.is_empty() {
        // The guard skips rows already as recent, so a flush rewrites no unchanged row; the
        // GREATEST keeps last_used_at from ever moving backwards.
        tx.execute(
            "UPDATE integrations i \
             SET last_used_at = GREATEST(COALESCE(i.last_used_at, 0), u.at) \
             FROM unnest($1::text[], $2::bigint[]) AS u(id, at) \
             WHERE i.id = u.id AND (i.last_used_at IS NULL OR i.last_used_at < u.at)",
            &[&used_ids, &used_at],
        )
        .await
        .map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)
}

/// Counts of one integration of `location` from `from_day` on, oldest day first.
pub(crate) async fn rows(
    store: &PgStore,
    location: &LocationId,
    id: &IntegrationId,
    from_day: i64,
) -> StoreResult<Vec<UsageRow>> {
    let client = store.client().await?;
    // The join to integrations is the tenant check: another location's integration id
    // yields nothing.
    let rows = client
        .query(
            "SELECT u.day, u.scope, u.count FROM integration_usage u \
             JOIN integrations i ON i.id = u.integration_id \
             WHERE u.integration_id = $1 AND i.location_id = $2 AND u.day >= $3 \
             ORDER BY u.day, u.scope",
            &[&id.as_str(), &location.as_str(), &from_day],
        )
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(UsageRow {
                day: get(row, "day")?,
                scope: get(row, "scope")?,
                count: from_db_count(get(row, "count")?),
            })
        })
        .collect()
}
