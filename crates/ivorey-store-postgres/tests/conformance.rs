//! The store conformance suite and the migration checks, against a real PostgreSQL server.
//! Each store gets a fresh schema, so cases run in parallel on one database without seeing
//! each other's rows.

use ivorey_store_postgres::{MIGRATIONS, PgStore};

/// The test database, or `None` (the test is skipped) when none is configured outside CI. In
/// CI a missing database is a failure, not a silent skip.
fn database_url() -> Option<String> {
    let url = std::env::var("IVOREY_TEST_DATABASE_URL").ok();
    if url.is_none() && std::env::var_os("CI").is_some() {
        panic!("PostgreSQL tests must run in CI: set IVOREY_TEST_DATABASE_URL");
    }
    url
}

/// A schema no other test uses.
fn fresh_schema() -> String {
    format!("t_{}", ivorey_core::random::base62(12).to_lowercase())
}

/// A migrated store in a fresh schema.
async fn make() -> Option<PgStore> {
    let url = database_url()?;
    let schema = fresh_schema();
    let store = PgStore::connect(&url, Some(&schema))
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate the test schema");
    Some(store)
}

ivorey_store::conformance_suite!(make());

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let Some(store) = make().await else {
        eprintln!("skipped: backend not configured");
        return;
    };
    assert_eq!(store.migrate().await.unwrap(), Vec::<i64>::new());
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
    assert_eq!(store.applied_migrations().await.unwrap(), all);
}

#[tokio::test]
async fn a_fresh_schema_reports_no_migrations_until_migrated() {
    let Some(url) = database_url() else {
        eprintln!("skipped: backend not configured");
        return;
    };
    let schema = fresh_schema();
    let store = PgStore::connect(&url, Some(&schema)).await.unwrap();
    assert!(store.applied_migrations().await.unwrap().is_empty());
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
    assert_eq!(store.migrate().await.unwrap(), all);
}

#[tokio::test]
async fn migrations_are_numbered_in_order_from_one() {
    for (i, (version, _, _)) in MIGRATIONS.iter().enumerate() {
        assert_eq!(*version, i64::try_from(i).unwrap() + 1);
    }
}

#[tokio::test]
async fn two_processes_migrating_at_once_apply_each_migration_once() {
    let Some(url) = database_url() else {
        eprintln!("skipped: backend not configured");
        return;
    };
    let schema = fresh_schema();
    // Two pools stand for two server processes starting together on a new schema.
    let (one, two) = tokio::join!(
        PgStore::connect(&url, Some(&schema)),
        PgStore::connect(&url, Some(&schema))
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    let (a, b) = tokio::join!(one.migrate(), two.migrate());
    let mut applied = [a.unwrap(), b.unwrap()];
    applied.sort();
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
    assert_eq!(applied, [Vec::new(), all]);
}

#[tokio::test]
async fn contacts_stored_before_the_posting_index_are_found_once_it_is_built() {
    use ivorey_store::conformance::{
        found_once_the_word_indexes_are_rebuilt, stored_before_an_upgrade,
    };

    let Some(url) = database_url() else {
        eprintln!("skipped: backend not configured");
        return;
    };
    let schema = fresh_schema();
    let store = PgStore::connect(&url, Some(&schema)).await.unwrap();
    store.migrate().await.unwrap();
    let (_, contact) = stored_before_an_upgrade(&store).await;
    // The database as the release before migration 13 left it: no posting index.
    let (raw, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    raw.batch_execute(&format!(
        "DROP TABLE {schema}.contact_postings; DROP FUNCTION {schema}.contact_posting_lexemes; \
         DELETE FROM {schema}.schema_migrations WHERE version = 13;"
    ))
    .await
    .unwrap();
    assert_eq!(store.migrate().await.unwrap(), [13]);
    found_once_the_word_indexes_are_rebuilt(&store, &contact).await;
}
