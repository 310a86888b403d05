//! An integration's usage for the last days: requests per day (days without requests as zero),
//! per scope, and when it was last used. Shared by the management API and the web app.

use std::collections::BTreeMap;

use ivorey_core::{IntegrationId, LocationId, Timestamp};
use ivorey_store::Store;

use super::UsageRecorder;
use crate::error::AppResult;

/// Usage over the last `days` days, oldest day first.
#[derive(Debug)]
pub struct UsageSummary {
    pub last_used_at: Option<Timestamp>,
    /// (UTC day number, requests)
    pub daily: Vec<(i64, u64)>,
    /// Scope name (`(no scope)` for scope-less calls) to requests.
    pub by_scope: BTreeMap<String, u64>,
}

impl UsageSummary {
    pub fn total(&self) -> u64 {
        self.daily.iter().map(|(_, n)| n).sum()
    }
}

/// `recorder`'s counts still in memory are written first, so the summary does not lag behind.
pub async fn summarize(
    store: &dyn Store,
    recorder: &UsageRecorder,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
    days: i64,
) -> AppResult<UsageSummary> {
    recorder.flush(store).await;
    let from_day = now.day() - days + 1;
    let rows = store.usage(location, id, from_day).await?;
    let mut per_day: BTreeMap<i64, u64> = (from_day..=now.day()).map(|d| (d, 0)).collect();
    let mut by_scope: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows {
        *per_day.entry(row.day).or_default() += row.count;
        let scope = if row.scope.is_empty() {
            "(no scope)".to_owned()
        } else {
            row.scope
        };
        *by_scope.entry(scope).or_default() += row.count;
    }
    let last_used_at = store
        .get_integration(location, id, now)
        .await?
        .and_then(|i| i.last_used_at);
    Ok(UsageSummary {
        last_used_at,
        daily: per_day.into_iter().collect(),
        by_scope,
    })
}
