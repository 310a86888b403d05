//! The store conformance suite on SQLite, each case on a fresh database file.

use ivorey_store_sqlite::SqliteStore;

async fn make() -> Option<SqliteStore> {
    // The directory must outlive the store; leaking it per test keeps the file until exit.
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let store = SqliteStore::open(&dir.join("ivorey.db")).expect("open");
    store.migrate().await.expect("migrate");
    Some(store)
}

ivorey_store::conformance_suite!(make());

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let store = make().await.expect("store");
    assert!(store.migrate().await.unwrap().is_empty());
    let versions: Vec<i64> = ivorey_store_sqlite::MIGRATIONS
        .iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(store.applied_migrations().await.unwrap(), versions);
}
