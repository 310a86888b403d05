//! Usage recording without a database write per request: counts gather in memory and a
//! background task flushes them in one transaction every few seconds (and at shutdown).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ivorey_core::{IntegrationId, Scope, Timestamp};
use ivorey_store::{Store, UsageBatch, UsageCount};

#[derive(Debug, Default)]
struct Pending {
    counts: HashMap<(IntegrationId, i64, Option<Scope>), u64>,
    last_used: HashMap<IntegrationId, Timestamp>,
}

/// Counts requests per integration, day and scope, and remembers when each was last used.
#[derive(Debug, Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<Pending>>,
}

impl UsageRecorder {
    /// Notes one request; cheap (one short lock, no I/O).
    pub fn record(&self, integration: &IntegrationId, scope: Option<Scope>, now: Timestamp) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        *pending
            .counts
            .entry((integration.clone(), now.day(), scope))
            .or_insert(0) += 1;
        let last = pending.last_used.entry(integration.clone()).or_insert(now);
        *last = (*last).max(now);
    }

    /// Takes what has gathered, leaving the recorder empty.
    fn take(&self) -> UsageBatch {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let Pending { counts, last_used } = std::mem::take(&mut *pending);
        UsageBatch {
            counts: counts
                .into_iter()
                .map(|((integration_id, day, scope), count)| UsageCount {
                    integration_id,
                    day,
                    scope,
                    count,
                })
                .collect(),
            last_used: last_used.into_iter().collect(),
        }
    }

    /// Writes what has gathered. On failure the counts are put back for the next flush, so an
    /// outage delays usage numbers rather than losing them.
    pub async fn flush(&self, store: &dyn Store) {
        let batch = self.take();
        if batch.counts.is_empty() && batch.last_used.is_empty() {
            return;
        }
        if let Err(e) = store.record_usage(&batch).await {
            tracing::warn!(error = %e, "usage flush failed; will retry");
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for c in batch.counts {
                *pending
                    .counts
                    .entry((c.integration_id, c.day, c.scope))
                    .or_insert(0) += c.count;
            }
            for (id, at) in batch.last_used {
                let last = pending.last_used.entry(id).or_insert(at);
                *last = (*last).max(at);
            }
        }
    }

    /// Flushes every `interval` until the returned handle is aborted.
    pub fn spawn_flusher(
        &self,
        store: Arc<dyn Store>,
        interval: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let recorder = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                recorder.flush(store.as_ref()).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_gather_into_one_count_per_key() {
        let recorder = UsageRecorder::default();
        let id = IntegrationId::generate();
        let t = Timestamp(86_400_000 * 3 + 5);
        recorder.record(&id, Some(Scope::ContactsRead), t);
        recorder.record(&id, Some(Scope::ContactsRead), Timestamp(t.0 + 1));
        recorder.record(&id, None, t);
        let batch = recorder.take();
        let mut counts: Vec<_> = batch
            .counts
            .iter()
            .map(|c| (c.scope, c.day, c.count))
            .collect();
        counts.sort();
        assert_eq!(counts, [(None, 3, 1), (Some(Scope::ContactsRead), 3, 2)]);
        assert_eq!(batch.last_used, [(id, Timestamp(t.0 + 1))]);
        assert!(recorder.take().counts.is_empty());
    }
}
