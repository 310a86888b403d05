//! Private Integrations: what one is, and the validated inputs that create or change one.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use serde::Serialize;

use crate::error::{ValidationErrors, bounded_text};
use crate::{IntegrationId, LocationId, ScopeSet, Timestamp};

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;
/// An allowlist longer than this is a configuration mistake, not a use case.
pub const ALLOWLIST_MAX: usize = 100;
/// The grace an old token keeps after "rotate and expire later", unless configured otherwise.
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(7 * 24 * 3600);

/// A Private Integration as its admins see it. Never holds a token, only a hint of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: IntegrationId,
    pub location_id: LocationId,
    pub name: String,
    pub description: Option<String>,
    pub scopes: ScopeSet,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// Last 4 characters of the current token.
    pub token_hint: String,
    pub token_created_at: Timestamp,
    /// The token replaced by "rotate and expire later", while its grace lasts.
    pub previous_token: Option<GraceToken>,
    /// After this the integration's tokens stop working.
    pub expires_at: Option<Timestamp>,
    pub ip_allowlist: IpAllowlist,
}

/// A rotated-out token still inside its grace period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraceToken {
    pub token_hint: String,
    pub expires_at: Timestamp,
}

/// The networks a token may be used from; empty allows any address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpAllowlist(pub Vec<IpNet>);

impl IpAllowlist {
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.is_empty() || self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses CIDRs or bare addresses (a bare address is a single-host network).
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, Vec<String>> {
        let mut nets = Vec::new();
        let mut bad = Vec::new();
        for entry in entries.into_iter().map(str::trim).filter(|e| !e.is_empty()) {
            match entry.parse::<IpNet>() {
                Ok(net) => nets.push(net.trunc()),
                Err(_) => match entry.parse::<IpAddr>() {
                    Ok(ip) => nets.push(IpNet::from(canonical(ip))),
                    Err(_) => bad.push(entry.to_owned()),
                },
            }
        }
        if bad.is_empty() {
            Ok(Self(nets))
        } else {
            Err(bad)
        }
    }

    pub fn to_storage(&self) -> String {
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the storage form. Entries are validated before they are stored; an unreadable one
    /// (which would mean a corrupted row) is kept as a network that matches nothing, never
    /// dropped, so a damaged allowlist can only deny.
    pub fn from_storage(s: &str) -> Self {
        let nets = s
            .split_ascii_whitespace()
            .map(|e| {
                e.parse()
                    .unwrap_or_else(|_| IpNet::from(IpAddr::from([0u8; 16])))
            })
            .collect();
        Self(nets)
    }
}

impl Serialize for IpAllowlist {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

/// IPv4 clients reached over an IPv6 socket arrive as `::ffff:a.b.c.d`; match them as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What a client sent to create an integration, before validation.
#[derive(Debug, Clone, Default)]
pub struct IntegrationInput {
    pub name: String,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    pub ip_allowlist: Vec<String>,
}

/// A validated new integration.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationDraft {
    pub name: String,
    pub description: Option<String>,
    pub scopes: ScopeSet,
    pub expires_at: Option<Timestamp>,
    pub ip_allowlist: IpAllowlist,
}

impl IntegrationDraft {
    pub fn parse(input: &IntegrationInput, now: Timestamp) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = bounded_text(&mut errors, "name", &input.name, NAME_MAX, true);
        let description = input
            .description
            .as_deref()
            .and_then(|d| bounded_text(&mut errors, "description", d, DESCRIPTION_MAX, false));
        let scopes = parse_scopes(&mut errors, &input.scopes);
        let expires_at = parse_expiry(&mut errors, input.expires_at.as_deref(), now);
        let ip_allowlist = parse_allowlist(&mut errors, &input.ip_allowlist);
        let draft = IntegrationDraft {
            name: name.unwrap_or_default(),
            description,
            scopes,
            expires_at,
            ip_allowlist,
        };
        errors.finish(draft)
    }
}

/// A validated change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntegrationPatch {
    pub name: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub scopes: Option<ScopeSet>,
    /// `Some(None)` removes the expiry date.
    pub expires_at: Option<Option<Timestamp>>,
    pub ip_allowlist: Option<IpAllowlist>,
}

/// What a client sent to change an integration, before validation.
#[derive(Debug, Clone, Default)]
pub struct IntegrationPatchInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub scopes: Option<Vec<String>>,
    pub expires_at: Option<Option<String>>,
    pub ip_allowlist: Option<Vec<String>>,
}

impl IntegrationPatch {
    pub fn parse(input: &IntegrationPatchInput, now: Timestamp) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = input
            .name
            .as_deref()
            .map(|n| bounded_text(&mut errors, "name", n, NAME_MAX, true).unwrap_or_default());
        let description = input.description.as_ref().map(|d| {
            d.as_deref()
                .and_then(|d| bounded_text(&mut errors, "description", d, DESCRIPTION_MAX, false))
        });
        let scopes = input.scopes.as_ref().map(|s| parse_scopes(&mut errors, s));
        let expires_at = input
            .expires_at
            .as_ref()
            .map(|e| parse_expiry(&mut errors, e.as_deref(), now));
        let ip_allowlist = input
            .ip_allowlist
            .as_ref()
            .map(|l| parse_allowlist(&mut errors, l));
        let patch = IntegrationPatch {
            name,
            description,
            scopes,
            expires_at,
            ip_allowlist,
        };
        if patch == IntegrationPatch::default() && errors.is_empty() {
            errors.add(
                "body",
                "must change at least one of name, description, scopes, expiresAt, ipAllowlist",
            );
        }
        errors.finish(patch)
    }
}

fn parse_scopes(errors: &mut ValidationErrors, names: &[String]) -> ScopeSet {
    match ScopeSet::parse_names(names.iter().map(String::as_str)) {
        Ok(set) if set.is_empty() => {
            errors.add("scopes", "must contain at least one scope");
            set
        }
        Ok(set) => set,
        Err(unknown) => {
            errors.add(
                "scopes",
                format!("contains unknown scopes: {}", unknown.join(", ")),
            );
            ScopeSet::EMPTY
        }
    }
}

fn parse_expiry(
    errors: &mut ValidationErrors,
    value: Option<&str>,
    now: Timestamp,
) -> Option<Timestamp> {
    let value = value?.trim();
    if value.is_empty() {
        return None;
    }
    match Timestamp::parse_rfc3339(value) {
        Some(t) if t > now => Some(t),
        Some(_) => {
            errors.add("expiresAt", "must be in the future");
            None
        }
        None => {
            errors.add(
                "expiresAt",
                "must be an RFC 3339 date-time or a YYYY-MM-DD date",
            );
            None
        }
    }
}

fn parse_allowlist(errors: &mut ValidationErrors, entries: &[String]) -> IpAllowlist {
    if entries.len() > ALLOWLIST_MAX {
        errors.add(
            "ipAllowlist",
            format!("must have at most {ALLOWLIST_MAX} entries"),
        );
        return IpAllowlist::default();
    }
    IpAllowlist::parse(entries.iter().map(String::as_str)).unwrap_or_else(|bad| {
        errors.add(
            "ipAllowlist",
            format!(
                "has entries that are not IP addresses or CIDRs: {}",
                bad.join(", ")
            ),
        );
        IpAllowlist::default()
    })
}

/// How a rotation treats the token it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationExpiry {
    /// The old token fails on the next request.
    Now,
    /// The old token keeps working for this long.
    Later(Duration),
}

impl RotationExpiry {
    /// When the old token stops working; `None` means at once.
    pub fn old_token_expires_at(self, now: Timestamp) -> Option<Timestamp> {
        match self {
            RotationExpiry::Now => None,
            RotationExpiry::Later(grace) => Some(now.plus(grace)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, scopes: &[&str]) -> IntegrationInput {
        IntegrationInput {
            name: name.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let draft =
            IntegrationDraft::parse(&input("  Zapier  ", &["contacts.readonly"]), Timestamp(0));
        assert_eq!(draft.unwrap().name, "Zapier");
        let long = "x".repeat(NAME_MAX + 1);
        let err = IntegrationDraft::parse(&input(&long, &["contacts.readonly"]), Timestamp(0))
            .unwrap_err();
        assert_eq!(err.0[0].field, "name");
        let err = IntegrationDraft::parse(&input("   ", &["contacts.readonly"]), Timestamp(0))
            .unwrap_err();
        assert_eq!(err.0[0].field, "name");
    }

    #[test]
    fn unknown_and_missing_scopes_are_named() {
        let err = IntegrationDraft::parse(
            &input("a", &["contacts.readonly", "payments.all"]),
            Timestamp(0),
        )
        .unwrap_err();
        assert!(err.to_string().contains("payments.all"), "{err}");
        let err = IntegrationDraft::parse(&input("a", &[]), Timestamp(0)).unwrap_err();
        assert_eq!(err.0[0].field, "scopes");
    }

    #[test]
    fn allowlist_accepts_cidrs_and_addresses_and_matches_mapped_ipv4() {
        let list = IpAllowlist::parse(["10.0.0.0/8", "2001:db8::1"]).unwrap();
        assert!(list.allows("10.1.2.3".parse().unwrap()));
        assert!(list.allows("::ffff:10.1.2.3".parse().unwrap()));
        assert!(list.allows("2001:db8::1".parse().unwrap()));
        assert!(!list.allows("192.168.0.1".parse().unwrap()));
        assert_eq!(
            IpAllowlist::parse(["10.0.0.0/33", "x"]).unwrap_err().len(),
            2
        );
        assert_eq!(IpAllowlist::from_storage(&list.to_storage()), list);
    }

    #[test]
    fn expiry_must_be_in_the_future() {
        let mut i = input("a", &["contacts.readonly"]);
        i.expires_at = Some("2000-01-01".into());
        let err = IntegrationDraft::parse(&i, Timestamp(1_700_000_000_000)).unwrap_err();
        assert_eq!(err.0[0].field, "expiresAt");
    }

    #[test]
    fn an_empty_patch_is_refused() {
        assert!(IntegrationPatch::parse(&IntegrationPatchInput::default(), Timestamp(0)).is_err());
    }
}
