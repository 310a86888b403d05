//! Both backends carry the same migrations: same version numbers, same names, same order.

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions_and_names() {
    let names = |list: &[(i64, &str, &str)]| {
        list.iter()
            .map(|m| (m.0, m.1.to_owned()))
            .collect::<Vec<_>>()
    };
    let sqlite = names(ivorey_store_sqlite::MIGRATIONS);
    let postgres = names(ivorey_store_postgres::MIGRATIONS);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    let versions: Vec<i64> = sqlite.iter().map(|m| m.0).collect();
    let expected: Vec<i64> = (1..=versions.len() as i64).collect();
    assert_eq!(versions, expected, "versions are 1, 2, 3, ... without gaps");
}

/// Tables only SQLite has, each with its reason.
const SQLITE_ONLY: &[&str] = &[
    // The FTS5 posting index's rows are keyed by integers, which this table maps to contacts;
    // PostgreSQL's posting table holds the contact's id itself.
    "contact_posting_keys",
];

#[test]
fn both_schemas_create_the_same_tables() {
    let tables = |sql: &str| {
        let mut found: Vec<String> = sql
            .lines()
            .filter_map(|l| {
                let l = l.trim();
                l.strip_prefix("CREATE TABLE ")
                    .or_else(|| l.strip_prefix("CREATE VIRTUAL TABLE "))
            })
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .filter(|name| !SQLITE_ONLY.contains(&name.as_str()))
            .collect();
        found.sort();
        found
    };
    for (sqlite, postgres) in ivorey_store_sqlite::MIGRATIONS
        .iter()
        .zip(ivorey_store_postgres::MIGRATIONS)
    {
        assert_eq!(
            tables(sqlite.2),
            tables(postgres.2),
            "migration {}",
            sqlite.0
        );
    }
}
