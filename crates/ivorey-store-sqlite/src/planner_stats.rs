//! Planner statistics for the word index (`contact_terms`) while it has none of its own.
//!
//! Without statistics, SQLite 3.54 plans a lookup of one contact's word rows
//! (`location_id = ? AND contact_id = ?`) as a walk of the location's whole primary key: the
//! cascade of a contact's delete and the word-index cleanup of every contact write then read
//! every word row of the location (measured: 171,000 VM steps and 14 ms to delete one contact
//! of 6,000, growing with each contact), while the by-contact index finds its few rows. `PRAGMA
//! optimize` writes real statistics once the table has grown, but a new database has none
//! until a later start. So when the table has none, representative ones are written, in the
//! form `ANALYZE` uses: many rows per location, a few per contact, and this connection reloads
//! them (`ANALYZE sqlite_schema`); the pooled connections open after migrations and load them
//! then. Real statistics, once written, are left alone.

use rusqlite::{Connection, TransactionBehavior};

/// `tbl idx stat` rows as `ANALYZE` writes them: rows in the index, then the rows that share
/// each leading prefix of its columns (location; location and term or contact; whole key).
/// The row count is small on purpose: `PRAGMA optimize` analyzes a table again once its rows
/// differ tenfold from the statistics, so the real ones replace these at the first start
/// after the table has passed 10,000 rows (these, kept at a million rows, misled the plans
/// of text searches at 1,000,000 contacts).
const WORD_INDEX_STATS: [(&str, &str); 2] = [
    ("contact_terms", "1000 1000 10 1"),
    ("contact_terms_by_contact", "1000 1000 3 1"),
];

/// Writes the word index's statistics unless it has some, in one transaction (a server and a
/// CLI command starting together write them once).
pub(crate) fn ensure_word_index_stats(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    write_if_missing(&tx)?;
    tx.commit()
}

fn write_if_missing(conn: &Connection) -> rusqlite::Result<()> {
    // ANALYZE of any table creates sqlite_stat1; of an empty one it writes no row.
    let stat_table: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
        [],
        |r| r.get(0),
    )?;
    if !stat_table {
        conn.execute_batch("ANALYZE contact_terms")?;
    }
    let known: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_stat1 WHERE tbl = 'contact_terms')",
        [],
        |r| r.get(0),
    )?;
    if known {
        return Ok(());
    }
    for (index, stat) in WORD_INDEX_STATS {
        conn.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('contact_terms', ?1, ?2)",
            [index, stat],
        )?;
    }
    conn.execute_batch("ANALYZE sqlite_schema")
}

#[cfg(test)]
mod tests {
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::{ContactId, Timestamp};
    use ivorey_store::ContactStore;
    use ivorey_store::conformance::new_location;
    use r2d2::ManageConnection;
    use rusqlite::StatementStatus;

    use crate::pool::ConnectionManager;
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn one_contacts_word_rows_are_found_without_walking_the_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stats.db");
        let store = SqliteStore::open(&path).unwrap();
        store.migrate().await.unwrap();
        let conn = ConnectionManager::new(path.clone()).connect().unwrap();
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN DELETE FROM contact_terms WHERE location_id = 'l' AND contact_id = 'c'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("contact_terms_by_contact"), "{plan}");

        // The cascade of a contact's delete cannot be explained; count its VM steps instead,
        // among 3,000 contacts that share their words (each walk would step past ~9,000 rows).
        let (location, _) = new_location(&store, "Stats").await;
        let mut ids = Vec::new();
        for n in 0..3_000 {
            let c = Contact {
                created_by: None,
                updated_by: None,
                id: ContactId::generate(),
                location_id: location.clone(),
                fields: ContactFields {
                    first_name: Some("Same".into()),
                    email: Some(format!("same{n}@example.com")),
                    ..ContactFields::default()
                },
                date_added: Timestamp(n),
                date_updated: Timestamp(n),
            };
            store.insert_contact(&c).await.unwrap();
            ids.push(c.id);
        }
        let mut delete = conn
            .prepare("DELETE FROM contacts WHERE location_id = ?1 AND id = ?2")
            .unwrap();
        assert_eq!(
            delete
                .execute([location.as_str(), ids[1_500].as_str()])
                .unwrap(),
            1
        );
        let steps = delete.get_status(StatementStatus::VmStep);
        assert!(
            steps < 2_000,
            "the delete walked the word index: {steps} VM steps"
        );
    }
}
