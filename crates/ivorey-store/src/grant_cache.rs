//! The in-memory cache of verified token grants that lets `token_grant` answer most requests
//! without touching the database, shared by both backends (each decides when it may trust it).
//!
//! Why it never serves a stale answer:
//! - Only grants of tokens that exist are cached; an unknown token is never remembered, so
//!   guessing tokens cannot fill memory, and a token created later needs no invalidation.
//!   Expiry (grace end, integration expiry) is part of the cached grant and is evaluated per
//!   request against the clock by `TokenGrant::admit`, so the passing of time needs none either.
//! - Every change to an integration or its tokens evicts that integration's entries (an index
//!   integration -> hashes) or clears everything; the backends do it inside their write methods
//!   after the commit, and learn of other processes' and nodes' changes on their own (SQLite:
//!   an epoch bumped by triggers; PostgreSQL: LISTEN/NOTIFY sent by triggers).
//! - A lookup that missed reads the database and then fills the cache, and a change may commit
//!   and be evicted between the two. Every eviction bumps a generation; a fill carries the
//!   generation seen before the read (`Ticket`) and is dropped if it moved, so a grant read
//!   before a change can never be stored after that change's eviction.
//! - A backend that cannot vouch for the cache (PostgreSQL while its listener is down, or past
//!   the listener's last proof of life) makes it `untrusted`: every lookup bypasses it and goes
//!   to the database, and trust comes back only with an emptied cache.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use hashlink::LruCache;
use ivorey_core::access::TokenGrant;
use ivorey_core::{IntegrationId, TokenHash};

use crate::StoreResult;

/// Room for 10,000 integrations with a token in grace each, twice over (a grant is ~200 bytes).
pub const DEFAULT_CAPACITY: usize = 50_000;

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// A grant that is current as far as this node can know.
    Hit(TokenGrant),
    /// Not cached: read the database, then `fill` with this ticket.
    Miss(Ticket),
    /// The cache may not be used now: read the database and do not fill.
    Bypass,
}

/// The generation a miss saw before its database read.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// Whether the cache may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// The backend checks freshness before each lookup (SQLite).
    Always,
    /// Until the lease ends (PostgreSQL: the listener's last proof that it is connected).
    Until(Instant),
    No,
}

#[derive(Debug)]
struct State {
    entries: LruCache<TokenHash, TokenGrant>,
    by_integration: HashMap<IntegrationId, Vec<TokenHash>>,
    generation: u64,
    trust: Trust,
    /// Bumped each time trust is lost, so a late lease extension cannot revive an old era.
    era: u64,
}

/// Counters for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrantCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub bypasses: u64,
    pub invalidations: u64,
    pub entries: u64,
    pub trusted: bool,
}

/// A bounded LRU map from token hash to grant. See the module doc for the rules.
#[derive(Debug)]
pub struct GrantCache {
    state: Mutex<State>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
    bypasses: AtomicU64,
    invalidations: AtomicU64,
}

impl GrantCache {
    /// A cache its backend keeps fresh before every lookup.
    pub fn trusted(capacity: usize) -> Self {
        Self::with_trust(capacity, Trust::Always)
    }

    /// A cache that bypasses until `trust_for` is called.
    pub fn untrusted(capacity: usize) -> Self {
        Self::with_trust(capacity, Trust::No)
    }

    fn with_trust(capacity: usize, trust: Trust) -> Self {
        let capacity = capacity.max(1);
        GrantCache {
            state: Mutex::new(State {
                entries: LruCache::new(capacity),
                by_integration: HashMap::new(),
                generation: 0,
                trust,
                era: 0,
            }),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            bypasses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a grant that is wrong, only a missing
        // index entry; clearing on recovery keeps even that from mattering.
        self.state.lock().unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            state.entries.clear();
            state.by_integration.clear();
            state.generation += 1;
            state
        })
    }

    pub fn lookup(&self, hash: &TokenHash) -> Lookup {
        let mut state = self.lock();
        let trusted = match state.trust {
            Trust::Always => true,
            Trust::Until(deadline) => Instant::now() < deadline,
            Trust::No => false,
        };
        if !trusted {
            drop(state);
            self.bypasses.fetch_add(1, Ordering::Relaxed);
            return Lookup::Bypass;
        }
        if let Some(grant) = state.entries.get(hash) {
            let grant = grant.clone();
            drop(state);
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Lookup::Hit(grant);
        }
        let ticket = Ticket(state.generation);
        drop(state);
        self.misses.fetch_add(1, Ordering::Relaxed);
        Lookup::Miss(ticket)
    }

    /// The grant of `hash`, the one sequence every backend runs: when `fresh` (the backend's
    /// own check that no change has passed the cache by) a hit answers, a miss asks `load` and
    /// keeps its answer unless something was evicted meanwhile; otherwise, or when the cache is
    /// not trusted, `load` answers alone (a bypass).
    pub async fn get_or_load<F, Fut>(
        &self,
        hash: &TokenHash,
        fresh: bool,
        load: F,
    ) -> StoreResult<Option<TokenGrant>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = StoreResult<Option<TokenGrant>>>,
    {
        if !fresh {
            self.count_bypass();
            return load().await;
        }
        match self.lookup(hash) {
            Lookup::Hit(grant) => Ok(Some(grant)),
            Lookup::Bypass => load().await,
            Lookup::Miss(ticket) => {
                let found = load().await?;
                if let Some(grant) = &found {
                    self.fill(ticket, *hash, grant);
                }
                Ok(found)
            }
        }
    }

    /// Counts a lookup that went to the database because the backend could not vouch for the
    /// cache before asking it.
    pub fn count_bypass(&self) {
        self.bypasses.fetch_add(1, Ordering::Relaxed);
    }

    /// Stores what the database said after a miss, unless anything was evicted since.
    pub fn fill(&self, ticket: Ticket, hash: TokenHash, grant: &TokenGrant) {
        let mut state = self.lock();
        if state.generation != ticket.0 || state.trust == Trust::No {
            return;
        }
        if state.entries.len() >= self.capacity
            && !state.entries.contains_key(&hash)
            && let Some((old_hash, old)) = state.entries.remove_lru()
        {
            unindex(&mut state, &old.integration_id, &old_hash);
        }
        if let Some(replaced) = state.entries.insert(hash, grant.clone()) {
            unindex(&mut state, &replaced.integration_id, &hash);
        }
        state
            .by_integration
            .entry(grant.integration_id.clone())
            .or_default()
            .push(hash);
    }

    /// Forgets every cached token of `integration` (it changed or is gone).
    pub fn evict_integration(&self, integration: &IntegrationId) {
        let mut state = self.lock();
        state.generation += 1;
        if let Some(hashes) = state.by_integration.remove(integration) {
            for hash in hashes {
                state.entries.remove(&hash);
            }
        }
        drop(state);
        self.invalidations.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets everything (a change whose integration is not known).
    pub fn clear(&self) {
        let mut state = self.lock();
        clear(&mut state);
        drop(state);
        self.invalidations.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops answering from the cache until trust is given again with `trust_anew`.
    pub fn distrust(&self) {
        let mut state = self.lock();
        clear(&mut state);
        state.trust = Trust::No;
        state.era += 1;
    }

    /// Empties the cache and trusts it until `until`; returns the era that `extend_trust` needs.
    pub fn trust_anew(&self, until: Instant) -> u64 {
        let mut state = self.lock();
        clear(&mut state);
        state.era += 1;
        state.trust = Trust::Until(until);
        state.era
    }

    /// Moves the lease of `era` to `until`; does nothing if trust was lost since.
    pub fn extend_trust(&self, era: u64, until: Instant) -> bool {
        let mut state = self.lock();
        if state.era != era || state.trust == Trust::No {
            return false;
        }
        state.trust = Trust::Until(until);
        true
    }

    pub fn stats(&self) -> GrantCacheStats {
        let state = self.lock();
        let trusted = match state.trust {
            Trust::Always => true,
            Trust::Until(deadline) => Instant::now() < deadline,
            Trust::No => false,
        };
        GrantCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bypasses: self.bypasses.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            entries: state.entries.len() as u64,
            trusted,
        }
    }
}

fn clear(state: &mut State) {
    state.generation += 1;
    state.entries.clear();
    state.by_integration.clear();
}

fn unindex(state: &mut State, integration: &IntegrationId, hash: &TokenHash) {
    if let Some(hashes) = state.by_integration.get_mut(integration) {
        hashes.retain(|h| h != hash);
        if hashes.is_empty() {
            state.by_integration.remove(integration);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ivorey_core::integration::IpAllowlist;
    use ivorey_core::{LocationId, ScopeSet};

    use super::*;

    fn grant(integration: &IntegrationId) -> TokenGrant {
        TokenGrant {
            integration_id: integration.clone(),
            location_id: LocationId::generate(),
            scopes: ScopeSet::EMPTY,
            token_expires_at: None,
            integration_expires_at: None,
            ip_allowlist: IpAllowlist::default(),
            rate_limits: Default::default(),
        }
    }

    fn hash(n: u8) -> TokenHash {
        TokenHash([n; 32])
    }

    fn miss(cache: &GrantCache, h: &TokenHash) -> Ticket {
        match cache.lookup(h) {
            Lookup::Miss(ticket) => ticket,
            other => panic!("expected a miss, got {other:?}"),
        }
    }

    #[test]
    fn a_filled_grant_is_a_hit_until_its_integration_is_evicted() {
        let cache = GrantCache::trusted(10);
        let (a, b) = (IntegrationId::generate(), IntegrationId::generate());
        let ticket = miss(&cache, &hash(1));
        cache.fill(ticket, hash(1), &grant(&a));
        let ticket = miss(&cache, &hash(2));
        cache.fill(ticket, hash(2), &grant(&b));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Hit(g) if g.integration_id == a));
        cache.evict_integration(&a);
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Miss(_)));
        assert!(matches!(cache.lookup(&hash(2)), Lookup::Hit(_)));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (2, 3, 1));
    }

    #[test]
    fn a_fill_read_before_an_eviction_is_dropped() {
        let cache = GrantCache::trusted(10);
        let a = IntegrationId::generate();
        let ticket = miss(&cache, &hash(1));
        // The change commits and is evicted while the miss is reading the old row.
        cache.evict_integration(&a);
        cache.fill(ticket, hash(1), &grant(&a));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Miss(_)));
    }

    #[test]
    fn the_least_recently_used_grant_makes_room() {
        let cache = GrantCache::trusted(2);
        let ids: Vec<_> = (0..3).map(|_| IntegrationId::generate()).collect();
        for (n, id) in ids.iter().enumerate().take(2) {
            let ticket = miss(&cache, &hash(n as u8));
            cache.fill(ticket, hash(n as u8), &grant(id));
        }
        assert!(matches!(cache.lookup(&hash(0)), Lookup::Hit(_)));
        let ticket = miss(&cache, &hash(2));
        cache.fill(ticket, hash(2), &grant(&ids[2]));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Miss(_)));
        assert!(matches!(cache.lookup(&hash(0)), Lookup::Hit(_)));
        assert_eq!(cache.stats().entries, 2);
        // The evicted grant left the index too: evicting its integration touches nothing else.
        cache.evict_integration(&ids[1]);
        assert_eq!(cache.stats().entries, 2);
    }

    #[test]
    fn an_untrusted_cache_bypasses_and_trust_comes_back_empty() {
        let cache = GrantCache::untrusted(10);
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Bypass));
        let era = cache.trust_anew(Instant::now() + Duration::from_secs(60));
        let ticket = miss(&cache, &hash(1));
        cache.fill(ticket, hash(1), &grant(&IntegrationId::generate()));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Hit(_)));
        cache.distrust();
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Bypass));
        // A heartbeat of the lost connection that answers late cannot restore trust.
        assert!(!cache.extend_trust(era, Instant::now() + Duration::from_secs(60)));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Bypass));
        cache.trust_anew(Instant::now() + Duration::from_secs(60));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Miss(_)));
        assert_eq!(cache.stats().bypasses, 3);
    }

    #[test]
    fn an_expired_lease_bypasses() {
        let cache = GrantCache::untrusted(10);
        let era = cache.trust_anew(Instant::now());
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Bypass));
        assert!(cache.extend_trust(era, Instant::now() + Duration::from_secs(60)));
        assert!(matches!(cache.lookup(&hash(1)), Lookup::Miss(_)));
    }
}
