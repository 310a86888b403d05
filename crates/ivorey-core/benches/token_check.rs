//! The per-request token check without I/O: parse + checksum + SHA-256 + map lookup + expiry and
//! allowlist check + scope check. Goal: under 1 microsecond.

use std::collections::HashMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, criterion_group, criterion_main};
use ivorey_core::access::TokenGrant;
use ivorey_core::integration::IpAllowlist;
use ivorey_core::{IntegrationId, LocationId, Scope, Timestamp, Token, TokenHash};

fn grant() -> TokenGrant {
    TokenGrant {
        integration_id: IntegrationId::generate(),
        location_id: LocationId::generate(),
        scopes: [Scope::ContactsRead, Scope::ContactsWrite]
            .into_iter()
            .collect(),
        token_expires_at: None,
        integration_expires_at: None,
        ip_allowlist: IpAllowlist::default(),
        rate_limits: Default::default(),
    }
}

fn token_check(c: &mut Criterion) {
    // 10,000 integrations, as a busy install might have.
    let tokens: Vec<Token> = (0..10_000).map(|_| Token::generate()).collect();
    let index: HashMap<TokenHash, TokenGrant> =
        tokens.iter().map(|t| (t.hash(), grant())).collect();
    let presented = tokens[4_321].expose_secret().to_owned();
    let client = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let now = Timestamp(1_750_000_000_000);

    c.bench_function("token_check/parse+checksum+sha256+lookup+scope", |b| {
        b.iter(|| {
            let hash = TokenHash::from_presented(black_box(&presented)).expect("well-formed");
            let grant = index.get(&hash).expect("known token");
            grant.admit(now, client).expect("admitted");
            black_box(grant.allows(Scope::ContactsRead))
        })
    });

    let typo = format!("{}x", &presented[..presented.len() - 1]);
    c.bench_function("token_check/reject_typo_by_checksum", |b| {
        b.iter(|| black_box(TokenHash::from_presented(black_box(&typo)).is_err()))
    });
}

criterion_group!(benches, token_check);
criterion_main!(benches);
