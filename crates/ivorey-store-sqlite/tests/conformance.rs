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
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::{ContactId, Timestamp};
    use ivorey_store::{ContactQuery, ContactStore};

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ivorey.db");
    let store = SqliteStore::open(&path).expect("open");
    store.migrate().await.expect("migrate");
    let (location, _) = ivorey_store::conformance::new_location(&store, "Upgrade").await;
    let contact = Contact {
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
            ..Default::default()
        },
        date_added: Timestamp(1),
        date_updated: Timestamp(1),
    };
    store.insert_contact(&contact).await.unwrap();
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
    // One word (the word rows) and several (the posting index).
    for words in ["hop", "gra hop"] {
        let query = ContactQuery {
            limit: 10,
            query: Some(words.into()),
            ..Default::default()
        };
        let page = store.list_contacts(&location, &query).await.unwrap();
        assert_eq!(page.contacts, std::slice::from_ref(&contact), "{words}");
    }
    // The backfilled posting row is replaced by the contact's next write.
    let mut renamed = contact.clone();
    renamed.fields.last_name = Some("Brewster".into());
    store.update_contact(&renamed).await.unwrap();
    let query = |words: &str| ContactQuery {
        limit: 10,
        query: Some(words.into()),
        ..Default::default()
    };
    let gone = store
        .list_contacts(&location, &query("gra hop"))
        .await
        .unwrap();
    assert!(gone.contacts.is_empty());
    let found = store
        .list_contacts(&location, &query("gra bre"))
        .await
        .unwrap();
    assert_eq!(found.contacts, [renamed]);
}
