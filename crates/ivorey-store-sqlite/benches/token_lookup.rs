//! The token lookup as `ivorey serve` does it on SQLite, with 10,000 integrations in the
//! database: `PRAGMA data_version` on the watch connection, then the grant cache (a hit after the
//! first iteration; a miss costs one indexed point query through the reader pool).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use ivorey_core::{Scope, Token, TokenHash};
use ivorey_store::IntegrationStore;
use ivorey_store::conformance::{new_integration, new_location};
use ivorey_store_sqlite::SqliteStore;

fn token_lookup(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::open(&dir.path().join("bench.db")).expect("open"));
    let presented: Token = runtime.block_on(async {
        store.migrate().await.expect("migrate");
        let (location, _) = new_location(store.as_ref(), "Bench").await;
        let mut last = None;
        for _ in 0..10_000 {
            last = Some(
                new_integration(store.as_ref(), &location, &[Scope::ContactsRead])
                    .await
                    .1,
            );
        }
        last.expect("at least one token")
    });
    let secret = presented.expose_secret().to_owned();

    c.bench_function(
        "token_check/sqlite: parse+sha256+pooled lookup+scope",
        |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let hash = TokenHash::from_presented(black_box(&secret)).expect("well-formed");
                    let grant = store
                        .token_grant(&hash)
                        .await
                        .expect("query")
                        .expect("known");
                    black_box(grant.allows(Scope::ContactsRead))
                })
            })
        },
    );
}

criterion_group!(benches, token_lookup);
criterion_main!(benches);
