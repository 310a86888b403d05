//! Usage recording without a database write per request: counts gather in memory and a
//! background task flushes them in one transaction every few seconds (and at shutdown).
//! `summary.rs` reads an integration's recorded usage back (management API, web app).

pub mod summary;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ivorey_core::{IntegrationId, Scope, Timestamp};
use ivorey_store::{Store, UsageBatch, UsageCount};

/// What one integration did since the last flush.
#[derive(Debug)]
struct Pending {
    /// Requests per (UTC day, scope); a handful of keys, so a list beats a map.
    counts: Vec<((i64, Option<Scope>), u64)>,
    last_used: Timestamp,
}

/// Counts requests per integration, day and scope, and remembers when each was last used.
#[derive(Debug, Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<HashMap<IntegrationId, Pending>>>,
}

impl UsageRecorder {
    /// Notes one request; cheap (one short lock, no I/O, no allocation once the integration
    /// has been seen since the last flush).
    pub fn record(&self, integration: &IntegrationId, scope: Option<Scope>, now: Timestamp) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match pending.get_mut(integration) {
            Some(p) => p.add((now.day(), scope), 1, now),
            None => {
                pending.insert(
                    integration.clone(),
                    Pending {
                        counts: vec![((now.day(), scope), 1)],
                        last_used: now,
                    },
                );
            }
        }
    }

    /// Takes what has gathered, leaving the recorder empty.
    fn take(&self) -> UsageBatch {
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let mut batch = UsageBatch::default();
        for (integration_id, p) in taken {
            for ((day, scope), count) in p.counts {
                batch.counts.push(UsageCount {
                    integration_id: integration_id.clone(),
                    day,
                    scope,
                    count,
                });
            }
            batch.last_used.push((integration_id, p.last_used));
        }
        batch
    }

    /// Puts back a batch that could not be written.
    fn restore(&self, batch: UsageBatch) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for (id, at) in batch.last_used {
            restore_entry(&mut pending, id, at);
        }
        for c in batch.counts {
            // Its last use was restored above; `Timestamp(0)` leaves it as it is.
            restore_entry(&mut pending, c.integration_id, Timestamp(0)).add(
                (c.day, c.scope),
                c.count,
                Timestamp(0),
            );
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
            self.restore(batch);
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

/// The integration's pending usage, created if missing, with `at` as a last use.
fn restore_entry(
    pending: &mut HashMap<IntegrationId, Pending>,
    id: IntegrationId,
    at: Timestamp,
) -> &mut Pending {
    let p = pending.entry(id).or_insert(Pending {
        counts: Vec::new(),
        last_used: at,
    });
    p.last_used = p.last_used.max(at);
    p
}

impl Pending {
    fn add(&mut self, key: (i64, Option<Scope>), count: u64, at: Timestamp) {
        match self.counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += count,
            None => self.counts.push((key, count)),
        }
        self.last_used = self.last_used.max(at);
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

    #[test]
    fn a_failed_flush_is_put_back_and_merged_with_new_requests() {
        let recorder = UsageRecorder::default();
        let (a, b) = (IntegrationId::generate(), IntegrationId::generate());
        let t = Timestamp(86_400_000 * 7);
        recorder.record(&a, Some(Scope::ContactsRead), t);
        recorder.record(&b, None, t);
        let failed = recorder.take();
        recorder.record(&a, Some(Scope::ContactsRead), Timestamp(t.0 + 9));
        recorder.restore(failed);
        let batch = recorder.take();
        let mut counts: Vec<_> = batch
            .counts
            .iter()
            .map(|c| (c.integration_id == a, c.scope, c.count))
            .collect();
        counts.sort();
        assert_eq!(
            counts,
            [(false, None, 1), (true, Some(Scope::ContactsRead), 2)]
        );
        let mut last: Vec<_> = batch
            .last_used
            .iter()
            .map(|(i, at)| (*i == a, *at))
            .collect();
        last.sort();
        assert_eq!(last, [(false, t), (true, Timestamp(t.0 + 9))]);
    }
}
