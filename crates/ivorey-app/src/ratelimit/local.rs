//! Counters in this process's memory: the limiter on a single node (SQLite), and every node's
//! fallback while the shared counters are unreachable.

use std::collections::HashMap;
use std::sync::Mutex;

use ivorey_core::{IntegrationId, LocationId, Timestamp};
use ivorey_store::{DAY_MS, RateCount, RateHit};

#[derive(Debug, Default)]
struct Windows {
    /// Per integration: (window start in ms, window end in ms, requests in that window).
    burst: HashMap<IntegrationId, (i64, i64, u64)>,
    /// Per location: (UTC day, requests that day).
    daily: HashMap<LocationId, (i64, u64)>,
}

/// Fixed-window counters behind one mutex: exact within this process.
#[derive(Debug, Default)]
pub struct LocalCounter {
    windows: Mutex<Windows>,
}

impl LocalCounter {
    /// Counts the request in both windows unless one is full; a refused request counts nowhere.
    pub fn count(&self, hit: &RateHit<'_>) -> RateCount {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let burst_end = hit.burst_window + hit.burst_interval_ms;
        // Looked up before inserting, so a known integration or location costs no key clone.
        if !w.burst.contains_key(hit.integration) {
            w.burst
                .insert(hit.integration.clone(), (hit.burst_window, burst_end, 0));
        }
        if !w.daily.contains_key(hit.location) {
            w.daily.insert(hit.location.clone(), (hit.day, 0));
        }
        let Windows { burst, daily } = &mut *w;
        let (Some(burst), Some(daily)) =
            (burst.get_mut(hit.integration), daily.get_mut(hit.location))
        else {
            unreachable!("both windows were inserted above");
        };
        if burst.0 != hit.burst_window {
            *burst = (hit.burst_window, burst_end, 0);
        }
        if daily.0 != hit.day {
            *daily = (hit.day, 0);
        }
        let (burst_used, daily_used) = (burst.2, daily.1);
        let admitted = burst_used < hit.burst_max && daily_used < hit.daily_max;
        if admitted {
            daily.1 += 1;
            burst.2 += 1;
        }
        let counted = u64::from(admitted);
        RateCount {
            burst_max: hit.burst_max,
            daily_max: hit.daily_max,
            burst_used: burst_used + counted,
            daily_used: daily_used + counted,
            admitted,
            granted: counted,
        }
    }

    /// Forgets windows that ended before `now`; returns how many.
    pub fn purge(&self, now: Timestamp) -> u64 {
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let before = w.burst.len() + w.daily.len();
        w.burst.retain(|_, (_, end, _)| *end > now.0);
        let today = now.0.div_euclid(DAY_MS);
        w.daily.retain(|_, (day, _)| *day >= today);
        (before - w.burst.len() - w.daily.len()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit<'a>(i: &'a IntegrationId, l: &'a LocationId, now: i64, max: (u64, u64)) -> RateHit<'a> {
        RateHit::new(i, l, Timestamp(now), 10_000, max)
    }

    #[test]
    fn burst_refuses_past_the_max_until_the_next_window() {
        let counter = LocalCounter::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        let used: Vec<_> = (0..3)
            .map(|_| counter.count(&hit(&i, &l, 1_000_000, (3, 100))).burst_used)
            .collect();
        assert_eq!(used, [1, 2, 3]);
        let refused = counter.count(&hit(&i, &l, 1_004_500, (3, 100)));
        assert!(!refused.admitted);
        assert_eq!(refused.daily_used, 3, "refused requests are not counted");
        let next = counter.count(&hit(&i, &l, 1_010_000, (3, 100)));
        assert!(next.admitted && next.burst_used == 1);
    }

    #[test]
    fn daily_limit_is_per_location_across_integrations() {
        let counter = LocalCounter::default();
        let (a, b, l) = (
            IntegrationId::generate(),
            IntegrationId::generate(),
            LocationId::generate(),
        );
        let t = DAY_MS * 5 + 1000;
        assert!(counter.count(&hit(&a, &l, t, (100, 2))).admitted);
        assert!(counter.count(&hit(&b, &l, t, (100, 2))).admitted);
        assert!(!counter.count(&hit(&b, &l, t, (100, 2))).admitted);
        let other = LocationId::generate();
        assert!(counter.count(&hit(&b, &other, t, (100, 2))).admitted);
        assert!(counter.count(&hit(&a, &l, DAY_MS * 6, (100, 2))).admitted);
    }

    #[test]
    fn purge_forgets_only_windows_that_ended() {
        let counter = LocalCounter::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        counter.count(&hit(&i, &l, 1_000_000, (3, 100)));
        assert_eq!(counter.purge(Timestamp(1_005_000)), 0);
        assert_eq!(
            counter.purge(Timestamp(1_010_000)),
            1,
            "the burst window ended"
        );
        assert_eq!(counter.purge(Timestamp(DAY_MS)), 1, "the day ended");
    }
}
