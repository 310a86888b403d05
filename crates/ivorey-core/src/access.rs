//! The per-request access decision for a Private Integration token: is the token alive, may it
//! be used from this address, and does it hold the scope the endpoint needs.

use std::net::IpAddr;

use crate::integration::IpAllowlist;
use crate::{IntegrationId, LocationId, Scope, ScopeSet, Timestamp};

/// What the store knows about one token hash: everything the check needs, in one row.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenGrant {
    pub integration_id: IntegrationId,
    pub location_id: LocationId,
    pub scopes: ScopeSet,
    /// Set for a rotated-out token in its grace period.
    pub token_expires_at: Option<Timestamp>,
    /// The integration's own optional expiry date.
    pub integration_expires_at: Option<Timestamp>,
    pub ip_allowlist: IpAllowlist,
    /// The location's own rate limits, read in the same lookup, so that counting a request
    /// needs no query of its own; the cache drops grants when they change.
    pub rate_limits: LocationRateLimits,
}

/// A location's own limits; `None` means the server's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LocationRateLimits {
    /// Requests each integration of the location may make per burst interval.
    pub burst_max: Option<u64>,
    /// Requests all integrations of the location together may make per UTC day.
    pub daily_max: Option<u64>,
}

/// Why a token that exists may not be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The grace period or the integration's expiry date has passed.
    Expired,
    /// The client address is outside the integration's allowlist.
    AddressNotAllowed,
}

impl TokenGrant {
    /// Whether the token may be used at `now` from `client`. Scopes are checked per endpoint.
    pub fn admit(&self, now: Timestamp, client: IpAddr) -> Result<(), Denial> {
        let expired = |at: Option<Timestamp>| at.is_some_and(|t| now >= t);
        if expired(self.token_expires_at) || expired(self.integration_expires_at) {
            return Err(Denial::Expired);
        }
        if !self.ip_allowlist.allows(client) {
            return Err(Denial::AddressNotAllowed);
        }
        Ok(())
    }

    /// When the presented token stops working, whichever comes first.
    pub fn expires_at(&self) -> Option<Timestamp> {
        match (self.token_expires_at, self.integration_expires_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> TokenGrant {
        TokenGrant {
            integration_id: IntegrationId::generate(),
            location_id: LocationId::generate(),
            scopes: [Scope::ContactsRead].into_iter().collect(),
            token_expires_at: None,
            integration_expires_at: None,
            ip_allowlist: IpAllowlist::default(),
            rate_limits: LocationRateLimits::default(),
        }
    }

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn grace_token_works_until_its_expiry_and_not_at_it() {
        let g = TokenGrant {
            token_expires_at: Some(Timestamp(100)),
            ..grant()
        };
        assert_eq!(g.admit(Timestamp(99), LOCAL), Ok(()));
        assert_eq!(g.admit(Timestamp(100), LOCAL), Err(Denial::Expired));
    }

    #[test]
    fn integration_expiry_and_allowlist_are_enforced() {
        let g = TokenGrant {
            integration_expires_at: Some(Timestamp(50)),
            ..grant()
        };
        assert_eq!(g.admit(Timestamp(50), LOCAL), Err(Denial::Expired));
        let g = TokenGrant {
            ip_allowlist: IpAllowlist::parse(["10.0.0.0/8"]).unwrap(),
            ..grant()
        };
        assert_eq!(g.admit(Timestamp(0), LOCAL), Err(Denial::AddressNotAllowed));
        assert_eq!(g.admit(Timestamp(0), "10.9.9.9".parse().unwrap()), Ok(()));
    }

    #[test]
    fn scopes_are_exact() {
        assert!(grant().allows(Scope::ContactsRead));
        assert!(!grant().allows(Scope::ContactsWrite));
    }

    #[test]
    fn expires_at_is_the_earlier_of_both() {
        let g = TokenGrant {
            token_expires_at: Some(Timestamp(9)),
            integration_expires_at: Some(Timestamp(5)),
            ..grant()
        };
        assert_eq!(g.expires_at(), Some(Timestamp(5)));
    }
}
