//! The Redis counters against a real Redis (`IVOREY_TEST_REDIS_URL`, else 127.0.0.1:6379 when
//! it answers): racing hits never pass the limit, refusals count nowhere, windows are separate.

use std::sync::Arc;
use std::time::Duration;

use ivorey_core::{IntegrationId, LocationId, Timestamp};
use ivorey_store::{RateCounter, RateHit};
use ivorey_store_redis::RedisRateCounter;

fn redis_url() -> Option<String> {
    if let Ok(url) = std::env::var("IVOREY_TEST_REDIS_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], 6379));
    std::net::TcpStream::connect_timeout(&local, Duration::from_millis(200))
        .ok()
        .map(|_| "redis://127.0.0.1:6379".to_owned())
}

fn hit<'a>(i: &'a IntegrationId, l: &'a LocationId, now: i64) -> RateHit<'a> {
    RateHit::new(i, l, Timestamp(now), 10_000, (10, 15))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_hits_never_pass_the_limit_and_refusals_count_nowhere() {
    let Some(url) = redis_url() else {
        return eprintln!("skipped: no Redis (set IVOREY_TEST_REDIS_URL)");
    };
    let prefix = format!("ivorey_test_{}:", ivorey_core::random::base62(10));
    let counter = Arc::new(RedisRateCounter::new(&url, &prefix).expect("counter"));
    let (a, b, l) = (
        IntegrationId::generate(),
        IntegrationId::generate(),
        LocationId::generate(),
    );
    let now = ivorey_core::Clock::now(&ivorey_core::SystemClock).0;
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (counter, a, l) = (counter.clone(), a.clone(), l.clone());
        racing.spawn(async move { counter.hit(&hit(&a, &l, now)).await.expect("hit") });
    }
    let counts = racing.join_all().await;
    let mut admitted: Vec<u64> = counts
        .iter()
        .filter(|c| c.admitted)
        .map(|c| c.burst_used)
        .collect();
    admitted.sort_unstable();
    assert_eq!(admitted, (1..=10).collect::<Vec<_>>(), "{counts:?}");
    // 10 counted today; b may make 5 more before the daily limit of 15.
    for n in 11..=15 {
        let c = counter.hit(&hit(&b, &l, now)).await.expect("hit");
        assert!(c.admitted && c.daily_used == n, "{c:?}");
    }
    let refused = counter.hit(&hit(&b, &l, now)).await.expect("hit");
    assert!(!refused.admitted && refused.daily_used == 15, "{refused:?}");
    assert_eq!(refused.burst_used, 5, "the refusal was not counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_reserve_a_sixteenth_of_the_room_and_end_exactly_at_the_limit() {
    let Some(url) = redis_url() else {
        return eprintln!("skipped: no Redis (set IVOREY_TEST_REDIS_URL)");
    };
    let prefix = format!("ivorey_test_{}:", ivorey_core::random::base62(10));
    let counter = RedisRateCounter::new(&url, &prefix).expect("counter");
    let (a, l) = (IntegrationId::generate(), LocationId::generate());
    let now = ivorey_core::Clock::now(&ivorey_core::SystemClock).0;
    let leased = RateHit {
        burst_max: 40,
        daily_max: 1_000_000,
        lease_max: 64,
        ..hit(&a, &l, now)
    };
    let mut used = 0;
    let mut grants = Vec::new();
    loop {
        let c = counter.hit(&leased).await.expect("hit");
        if !c.admitted {
            assert_eq!(c.granted, 0, "{c:?}");
            break;
        }
        assert_eq!(c.granted, ((40 - used) / 16).max(1), "{c:?}");
        used += c.granted;
        assert_eq!((c.burst_used, c.daily_used), (used, used), "{c:?}");
        grants.push(c.granted);
    }
    assert_eq!(used, 40, "{grants:?}");
    assert_eq!((grants[0], grants.last()), (2, Some(&1)), "{grants:?}");
}
