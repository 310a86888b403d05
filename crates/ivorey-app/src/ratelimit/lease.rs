//! Leases on the shared counters, so that a node does not ask PostgreSQL or Redis about every
//! request: when it must ask, it reserves a few requests at once (at most a sixteenth of what
//! is left in the window, at most `LEASE_MAX`, see `RateHit::lease_max`) and admits the next
//! ones from that reservation in memory. The reserved requests are counted in the shared
//! windows when reserved, so the nodes together never admit more than a limit; what a node
//! reserved and did not use refuses others early, at most a sixteenth of the room it saw.
//! Near a limit the grants shrink to one, so the last requests of a window are exact. A full
//! window is remembered until it ends (a window's count never falls), so a client past its
//! limit costs the shared counters nothing either.

use std::collections::HashMap;
use std::sync::Mutex;

use ivorey_core::{IntegrationId, Timestamp};
use ivorey_store::{RateCount, RateHit};

/// The most requests one call reserves: a busy integration's node asks about one request in
/// 1,024 while a window has room for 16,384 or more. (At a fixed 64, the shared counter's
/// statements took 15 % of a core at 41,000 requests a second on PostgreSQL.)
pub(super) const LEASE_MAX: u64 = 1_024;

/// What an integration's first call in a window reserves: just its request. Each call after a
/// lease was used up asks for twice the last (up to `LEASE_MAX`), so a busy integration soon
/// asks rarely while one that calls a few times reserves nothing it does not use: reserved
/// requests also count in the location's daily window, which all of its integrations share
/// (1,000 integrations calling twice each, at a fixed 1,024, reserved the whole default daily
/// limit of 200,000).
const LEASE_START: u64 = 1;

/// What the shared counter last granted one integration on this node.
#[derive(Debug, Clone, Copy)]
struct Lease {
    burst_window: i64,
    day: i64,
    /// The limits the counter applied.
    burst_max: u64,
    daily_max: u64,
    /// The windows' counts right after the grant, reserved requests included.
    burst_used: u64,
    daily_used: u64,
    /// Reserved requests not yet used.
    left: u64,
    /// The counter refused: once `left` is used up, refuse until the window ends.
    full: bool,
    /// How many requests the last call asked for.
    asked: u64,
}

impl Lease {
    /// Whether the lease speaks for this request's windows and limits.
    fn covers(&self, hit: &RateHit<'_>) -> bool {
        self.burst_window == hit.burst_window
            && self.day == hit.day
            && self.burst_max == hit.burst_max
            && self.daily_max == hit.daily_max
    }

    fn count(&self, admitted: bool) -> RateCount {
        RateCount {
            burst_max: self.burst_max,
            daily_max: self.daily_max,
            burst_used: self.burst_used - self.left,
            daily_used: self.daily_used - self.left,
            admitted,
            granted: u64::from(admitted),
        }
    }
}

/// This node's leases, by integration.
#[derive(Debug, Default)]
pub(super) struct Leases {
    by_integration: Mutex<HashMap<IntegrationId, Lease>>,
}

impl Leases {
    /// Decides `hit` from its integration's lease when that covers it: admits one reserved
    /// request, or refuses in a window known to be full. `None`: ask the shared counter.
    pub(super) fn take(&self, hit: &RateHit<'_>) -> Option<RateCount> {
        let mut leases = self.lock();
        let lease = leases
            .get_mut(hit.integration)
            .filter(|lease| lease.covers(hit))?;
        if lease.left > 0 {
            lease.left -= 1;
            return Some(lease.count(true));
        }
        lease.full.then(|| lease.count(false))
    }

    /// How many requests to ask the shared counter for with `hit`: twice the last call's
    /// when that lease was used up within `hit`'s windows, half of it when the windows moved on
    /// (what a lease held back at a window's end is lost, yet counted in the location's day),
    /// `LEASE_START` for an integration not seen since the last purge.
    pub(super) fn next_ask(&self, hit: &RateHit<'_>) -> u64 {
        match self.lock().get(hit.integration) {
            Some(lease) if lease.covers(hit) && lease.left == 0 && !lease.full => {
                lease.asked.saturating_mul(2).min(LEASE_MAX)
            }
            Some(lease) => (lease.asked / 2).max(LEASE_START),
            None => LEASE_START,
        }
    }

    /// Keeps what the shared counter decided for `hit` (asked for `asked` requests): the
    /// requests it reserved beyond this one, or that the window is full.
    pub(super) fn record(&self, hit: &RateHit<'_>, count: &RateCount, asked: u64) {
        let mut lease = Lease {
            burst_window: hit.burst_window,
            day: hit.day,
            burst_max: count.burst_max,
            daily_max: count.daily_max,
            burst_used: count.burst_used,
            daily_used: count.daily_used,
            left: count.granted.saturating_sub(1),
            full: !count.admitted,
            asked,
        };
        let mut leases = self.lock();
        // Two requests of one integration may have asked at once: keep both reservations.
        if let Some(earlier) = leases.get(hit.integration)
            && earlier.burst_window == lease.burst_window
            && earlier.day == lease.day
        {
            lease.left += earlier.left;
            lease.burst_used = lease.burst_used.max(earlier.burst_used);
            lease.daily_used = lease.daily_used.max(earlier.daily_used);
        }
        // Kept when used up too: the next call's size comes from it (`next_ask`).
        match leases.get_mut(hit.integration) {
            Some(slot) => *slot = lease,
            None => {
                leases.insert(hit.integration.clone(), lease);
            }
        }
    }

    /// Forgets leases whose burst window ended before `now` (`interval_ms` long).
    pub(super) fn purge(&self, now: Timestamp, interval_ms: i64) {
        self.lock()
            .retain(|_, lease| lease.burst_window + interval_ms > now.0);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IntegrationId, Lease>> {
        self.by_integration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use ivorey_core::LocationId;

    use super::*;

    fn hit<'a>(i: &'a IntegrationId, l: &'a LocationId, now: i64) -> RateHit<'a> {
        RateHit {
            lease_max: LEASE_MAX,
            ..RateHit::new(i, l, Timestamp(now), 10_000, (100, 1000))
        }
    }

    fn granted(n: u64, burst_used: u64) -> RateCount {
        RateCount {
            burst_max: 100,
            daily_max: 1000,
            burst_used,
            daily_used: burst_used,
            admitted: n > 0,
            granted: n,
        }
    }

    #[test]
    fn a_grant_admits_exactly_its_reserved_requests_then_asks_again() {
        let leases = Leases::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        let h = hit(&i, &l, 1_000_000);
        assert!(leases.take(&h).is_none(), "nothing reserved yet");
        leases.record(&h, &granted(4, 4), 64);
        let used: Vec<u64> = (0..3)
            .map(|_| leases.take(&h).expect("reserved").burst_used)
            .collect();
        assert_eq!(used, [2, 3, 4]);
        assert!(leases.take(&h).is_none(), "the reservation is used up");
    }

    #[test]
    fn a_full_window_refuses_until_it_ends_or_the_limits_change() {
        let leases = Leases::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        let h = hit(&i, &l, 1_000_000);
        leases.record(&h, &granted(0, 100), 64);
        let refused = leases.take(&h).expect("known full");
        assert!(!refused.admitted && refused.granted == 0);
        assert_eq!(refused.burst_used, 100);
        let next_window = hit(&i, &l, 1_010_000);
        assert!(leases.take(&next_window).is_none());
        let raised = RateHit {
            burst_max: 200,
            ..h
        };
        assert!(leases.take(&raised).is_none(), "new limits: ask again");
        leases.purge(Timestamp(1_010_000), 10_000);
        assert!(leases.take(&h).is_none(), "purged with its window");
    }

    #[test]
    fn an_integration_asks_for_one_request_then_twice_as_many_each_time_it_used_up_a_lease() {
        let leases = Leases::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        let h = hit(&i, &l, 1_000_000);
        let (mut asks, mut used) = (Vec::new(), 0);
        for _ in 0..12 {
            let asked = leases.next_ask(&h);
            asks.push(asked);
            used += asked;
            leases.record(&h, &granted(asked, used), asked);
            while leases.take(&h).is_some() {}
        }
        assert_eq!(asks, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024]);
        // In the next burst window the ask halves, used up or not: what a lease still held
        // when its window ended was counted in the day and is lost.
        assert_eq!(leases.next_ask(&hit(&i, &l, 1_010_000)), 512);
        let other = IntegrationId::generate();
        let o = hit(&other, &l, 1_000_000);
        leases.record(&o, &granted(8, 8), 8);
        assert_eq!(leases.next_ask(&hit(&other, &l, 1_010_000)), 4);
    }

    #[test]
    fn concurrent_grants_of_one_integration_add_up() {
        let leases = Leases::default();
        let (i, l) = (IntegrationId::generate(), LocationId::generate());
        let h = hit(&i, &l, 1_000_000);
        leases.record(&h, &granted(3, 3), 64);
        leases.record(&h, &granted(3, 6), 64);
        let admitted = std::iter::from_fn(|| leases.take(&h)).count();
        assert_eq!(admitted, 4, "2 + 2 reserved beyond the two asking requests");
    }
}
