//! Conformance cases for rate limits: each location's overrides (every backend) and, for a
//! backend with shared counters, that a window never admits more than its limit however many
//! requests race for it.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use ivorey_core::audit::AuditAction;
use ivorey_core::{IntegrationId, LocationId, Timestamp};

use super::fixtures::{T0, audit, new_location};
use crate::{LocationRateLimits, RateHit, Store, StoreError};

pub async fn location_rate_limits_round_trip_with_an_audit_entry(store: &dyn Store) {
    let (id, _) = new_location(store, "Limits").await;
    let (other, _) = new_location(store, "Other").await;
    assert_eq!(
        store.location_rate_limits(&id).await.unwrap(),
        LocationRateLimits::default()
    );
    let own = LocationRateLimits {
        burst_max: Some(10),
        daily_max: None,
    };
    let entry = audit(&id, None, AuditAction::RateLimitsUpdated, T0);
    store
        .set_location_rate_limits(&id, &own, &entry)
        .await
        .unwrap();
    assert_eq!(store.location_rate_limits(&id).await.unwrap(), own);
    assert_eq!(
        store.location_rate_limits(&other).await.unwrap(),
        LocationRateLimits::default()
    );
    let replaced = LocationRateLimits {
        burst_max: None,
        daily_max: Some(5_000_000_000),
    };
    store
        .set_location_rate_limits(&id, &replaced, &entry)
        .await
        .unwrap();
    assert_eq!(store.location_rate_limits(&id).await.unwrap(), replaced);
    let log = store.audit_log(&id, None, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|e| e.action == AuditAction::RateLimitsUpdated)
    );
    let missing = store
        .set_location_rate_limits(&LocationId::generate(), &own, &entry)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

fn hit<'a>(
    integration: &'a IntegrationId,
    location: &'a LocationId,
    now: i64,
    limits: (u64, u64),
) -> RateHit<'a> {
    RateHit::new(integration, location, Timestamp(now), 10_000, limits)
}

/// Runs every future at once on the caller's task (the store's pool gives each its own
/// connection), and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

pub async fn shared_counters_never_admit_more_than_the_limit(store: &dyn Store) {
    let Some(counter) = store.shared_rate_counter() else {
        return; // Counted in the server's memory on this backend (one node).
    };
    let (location, _) = new_location(store, "Counted").await;
    let (a, b) = (IntegrationId::generate(), IntegrationId::generate());
    let now = T0.0 + 1234;
    let one = hit(&a, &location, now, (10, 1000));
    let racing = (0..30).map(|_| counter.hit(&one));
    let counts = join_all(racing.collect()).await;
    let counts: Vec<_> = counts.into_iter().map(Result::unwrap).collect();
    let mut admitted: Vec<u64> = counts
        .iter()
        .filter(|c| c.admitted)
        .map(|c| c.burst_used)
        .collect();
    admitted.sort_unstable();
    assert_eq!(admitted, (1..=10).collect::<Vec<_>>(), "{counts:?}");
    // Refused requests count nowhere: the next integration sees 10 used today.
    let next = counter
        .hit(&hit(&b, &location, now, (10, 1000)))
        .await
        .unwrap();
    assert!(
        next.admitted && next.burst_used == 1 && next.daily_used == 11,
        "{next:?}"
    );
    // A new burst window admits again.
    let later = counter
        .hit(&hit(&a, &location, now + 10_000, (10, 1000)))
        .await
        .unwrap();
    assert!(later.admitted && later.burst_used == 1, "{later:?}");
    // The daily window is shared by the location's integrations, with the location's limit.
    if counter.applies_location_limits() {
        let own = LocationRateLimits {
            burst_max: None,
            daily_max: Some(13),
        };
        let entry = audit(&location, None, AuditAction::RateLimitsUpdated, T0);
        store
            .set_location_rate_limits(&location, &own, &entry)
            .await
            .unwrap();
        let last = counter
            .hit(&hit(&b, &location, now, (10, 1000)))
            .await
            .unwrap();
        assert!(last.admitted && last.daily_used == 13, "{last:?}");
        let refused = counter
            .hit(&hit(&b, &location, now, (10, 1000)))
            .await
            .unwrap();
        assert!(!refused.admitted, "{refused:?}");
        assert_eq!((refused.daily_max, refused.daily_used), (13, 13));
    }
    let purged = counter
        .purge_windows(Timestamp(now + 3 * 86_400_000))
        .await
        .unwrap();
    assert!(purged >= 1 || counter.backend() == "redis", "{purged}");
}

/// Leases: a call may reserve several requests for its node, at most a sixteenth of what is
/// left (and at least the request itself), so concurrent reservations never pass the limit
/// and the last requests of a window go one by one.
pub async fn shared_counters_lease_a_sixteenth_and_never_pass_the_limit(store: &dyn Store) {
    let Some(counter) = store.shared_rate_counter() else {
        return; // Counted in the server's memory on this backend (one node).
    };
    let (location, _) = new_location(store, "Leased").await;
    let integration = IntegrationId::generate();
    let now = T0.0 + 4321;
    let leased = |max: (u64, u64)| RateHit {
        lease_max: 64,
        ..hit(&integration, &location, now, max)
    };
    // Sequential: each grant is a sixteenth of the room left (at least 1), until exactly 40.
    let mut used = 0;
    let mut grants = Vec::new();
    loop {
        let count = counter.hit(&leased((40, 1_000_000))).await.unwrap();
        if !count.admitted {
            assert_eq!(count.granted, 0, "{count:?}");
            break;
        }
        assert_eq!(count.granted, ((40 - used) / 16).max(1), "{count:?}");
        used += count.granted;
        assert_eq!(count.burst_used, used, "{count:?}");
        grants.push(count.granted);
    }
    assert_eq!(used, 40, "{grants:?}");
    assert_eq!(grants[0], 2, "{grants:?}");
    assert_eq!(grants.last(), Some(&1), "{grants:?}");

    // Concurrent, in a fresh window and with a large limit: the grants add up to the count.
    let later = now + 10_000;
    let other = IntegrationId::generate();
    let racer = RateHit {
        lease_max: 64,
        ..hit(&other, &location, later, (1000, 1_000_000))
    };
    let racing = (0..20).map(|_| counter.hit(&racer));
    let counts: Vec<_> = join_all(racing.collect()).await;
    let counts: Vec<_> = counts.into_iter().map(Result::unwrap).collect();
    assert!(
        counts
            .iter()
            .all(|c| c.admitted && (1..=62).contains(&c.granted))
    );
    let total: u64 = counts.iter().map(|c| c.granted).sum();
    let highest = counts.iter().map(|c| c.burst_used).max().unwrap();
    assert_eq!(highest, total, "{counts:?}");
    assert!(total <= 1000);
}
