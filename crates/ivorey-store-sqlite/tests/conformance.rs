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

#[tokio::test]
async fn contacts_stored_before_the_word_index_are_found_once_it_is_built() {
    use ivorey_store::conformance::{
        found_once_the_word_indexes_are_rebuilt, stored_before_an_upgrade,
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ivorey.db");
    let store = SqliteStore::open(&path).expect("open");
    store.migrate().await.expect("migrate");
    let (_, contact) = stored_before_an_upgrade(&store).await;
    // The database as the release before migration 12 left it: no word rows, no posting
    // index.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TABLE contact_postings; DROP TABLE contact_posting_keys; DROP TABLE contact_terms;
         DELETE FROM schema_migrations WHERE version IN (12, 13);",
    )
    .unwrap();
    drop(raw);
    assert_eq!(store.migrate().await.unwrap(), [12, 13]);
    found_once_the_word_indexes_are_rebuilt(&store, &contact).await;
}
