//! Conformance cases for the token grant cache: with every grant cached (a second lookup is a
//! hit), each kind of change binds the very next lookup of the same store.

use std::time::{Duration, Instant};

use ivorey_core::access::{LocationRateLimits, TokenGrant};
use ivorey_core::audit::AuditAction;
use ivorey_core::integration::{Integration, IntegrationPatch, IpAllowlist};
use ivorey_core::{LocationId, Scope, Timestamp, Token};

use super::fixtures::{T0, audit, new_integration, new_location};
use crate::Store;

/// Waits until the backend trusts its cache (PostgreSQL: its listener, started by the first
/// lookup, has connected).
pub async fn wait_until_grant_cache_is_trusted(store: &dyn Store) {
    let cache = store.grant_cache().expect("the backend has a grant cache");
    let unknown = Token::generate().hash();
    assert_eq!(store.token_grant(&unknown).await.unwrap(), None);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cache.stats().trusted {
        assert!(
            Instant::now() < deadline,
            "the grant cache never became trusted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Looks `token` up until the answer comes from the cache (on PostgreSQL the notification of
/// the store's own last write may evict it once more), checking that every answer agrees.
async fn warm(store: &dyn Store, token: &Token) -> Option<TokenGrant> {
    let cache = store.grant_cache().expect("grant cache");
    let first = store.token_grant(&token.hash()).await.unwrap();
    first.as_ref()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let hits = cache.stats().hits;
        let again = store.token_grant(&token.hash()).await.unwrap();
        assert_eq!(again, first);
        if cache.stats().hits > hits {
            return first;
        }
        assert!(Instant::now() < deadline, "the grant was never cached");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn edit(store: &dyn Store, loc: &LocationId, i: &Integration, patch: IntegrationPatch) {
    let entry = audit(loc, Some(i), AuditAction::IntegrationUpdated, T0);
    store
        .update_integration(loc, &i.id, &patch, T0, &entry)
        .await
        .unwrap();
}

async fn rotate(
    store: &dyn Store,
    loc: &LocationId,
    i: &Integration,
    old_expires_at: Option<Timestamp>,
) -> Token {
    let token = Token::generate();
    let entry = audit(loc, Some(i), AuditAction::TokenRotatedExpireNow, T0);
    store
        .rotate_token(
            loc,
            &i.id,
            &token.hash(),
            &token.hint(),
            old_expires_at,
            T0,
            &entry,
        )
        .await
        .unwrap();
    token
}

pub async fn a_warm_grant_cache_follows_every_change(store: &dyn Store) {
    wait_until_grant_cache_is_trusted(store).await;
    let (loc, _) = new_location(store, "Cache").await;
    let scopes = [Scope::ContactsRead, Scope::ContactsWrite];
    let (i, first) = new_integration(store, &loc, &scopes).await;
    let (other, other_token) = new_integration(store, &loc, &scopes).await;
    assert!(
        warm(store, &first)
            .await
            .unwrap()
            .allows(Scope::ContactsWrite)
    );
    assert!(warm(store, &other_token).await.is_some());

    let read_only = [Scope::ContactsRead].into_iter().collect();
    let patch = IntegrationPatch {
        scopes: Some(read_only),
        ..Default::default()
    };
    edit(store, &loc, &i, patch).await;
    assert!(
        !warm(store, &first)
            .await
            .unwrap()
            .allows(Scope::ContactsWrite)
    );

    let allowlist = IpAllowlist::parse(["10.0.0.0/8"]).unwrap();
    let patch = IntegrationPatch {
        ip_allowlist: Some(allowlist.clone()),
        expires_at: Some(Some(Timestamp(T0.0 + 60_000))),
        ..Default::default()
    };
    edit(store, &loc, &i, patch).await;
    let grant = warm(store, &first).await.unwrap();
    assert_eq!(grant.ip_allowlist, allowlist);
    assert_eq!(grant.integration_expires_at, Some(Timestamp(T0.0 + 60_000)));

    // Rotate, expire later: the old token's grant now carries its grace end.
    let grace_end = Timestamp(T0.0 + 30_000);
    let second = rotate(store, &loc, &i, Some(grace_end)).await;
    assert_eq!(
        warm(store, &first).await.unwrap().token_expires_at,
        Some(grace_end)
    );
    assert!(warm(store, &second).await.is_some());
    let entry = audit(&loc, Some(&i), AuditAction::OldTokenExpired, T0);
    store
        .expire_previous_token(&loc, &i.id, Timestamp(T0.0 + 1), &entry)
        .await
        .unwrap();
    assert_eq!(warm(store, &first).await, None);

    // Rotate, expire now: the replaced token is unknown at once.
    let third = rotate(store, &loc, &i, None).await;
    assert_eq!(warm(store, &second).await, None);
    assert!(warm(store, &third).await.is_some());

    let entry = audit(&loc, Some(&i), AuditAction::IntegrationDeleted, T0);
    store.delete_integration(&loc, &i.id, &entry).await.unwrap();
    assert_eq!(warm(store, &third).await, None);
    // The other integration's grant was never touched.
    assert_eq!(
        warm(store, &other_token).await.unwrap().integration_id,
        other.id
    );
}

/// Grants carry their location's rate-limit overrides, so a change to those must reach a warm
/// grant exactly as a change to the integration does.
pub async fn a_warm_grant_carries_its_locations_current_rate_limits(store: &dyn Store) {
    wait_until_grant_cache_is_trusted(store).await;
    let (loc, _) = new_location(store, "Limited").await;
    let (other_loc, _) = new_location(store, "Unlimited").await;
    let (_, token) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let (_, other_token) = new_integration(store, &other_loc, &[Scope::ContactsRead]).await;
    let defaults = LocationRateLimits::default();
    assert_eq!(warm(store, &token).await.unwrap().rate_limits, defaults);
    assert_eq!(
        warm(store, &other_token).await.unwrap().rate_limits,
        defaults
    );

    let own = LocationRateLimits {
        burst_max: Some(3),
        daily_max: Some(50_000),
    };
    let entry = audit(&loc, None, AuditAction::RateLimitsUpdated, T0);
    store
        .set_location_rate_limits(&loc, &own, &entry)
        .await
        .unwrap();
    assert_eq!(warm(store, &token).await.unwrap().rate_limits, own);
    assert_eq!(
        warm(store, &other_token).await.unwrap().rate_limits,
        defaults,
        "another location's grants keep the defaults"
    );

    let back = LocationRateLimits {
        burst_max: None,
        daily_max: Some(7),
    };
    store
        .set_location_rate_limits(&loc, &back, &entry)
        .await
        .unwrap();
    assert_eq!(warm(store, &token).await.unwrap().rate_limits, back);
}
