//! A contact's write on SQLite (`SqlBackend::write_contact`): its row, then its index rows: its
//! tags, its words and its row of the FTS5 posting index.

use std::collections::BTreeSet;

use ivorey_core::contact::Contact;
use ivorey_core::contact_terms::contact_terms;
use ivorey_store::contact_search::fts5_document;
use ivorey_store::sql::contacts::{
    CONTACT_COLUMNS_V12, contact, contact_before_attribution, insert_contact_row,
    update_contact_row,
};
use ivorey_store::sql::{Db, DbFuture, Sql};
use ivorey_store::{ContactWrite, StoreError, params};

use crate::row::SqliteRow;

static DELETE_TAGS: Sql =
    Sql::new("DELETE FROM contact_tags WHERE location_id = $1 AND contact_id = $2");
static INSERT_TAG: Sql = Sql::new(
    "INSERT OR IGNORE INTO contact_tags (location_id, contact_id, tag) VALUES ($1, $2, $3)",
);
// Without statistics SQLite 3.54 plans these as a walk of the location's whole word index
// (PRIMARY KEY (location_id=?)): 8.6 ms per write at 6,000 contacts, growing with every
// contact. The by-contact index finds the contact's few rows.
static STORED_TERMS: Sql = Sql::new(
    "SELECT term FROM contact_terms INDEXED BY contact_terms_by_contact
     WHERE location_id = $1 AND contact_id = $2",
);
static DELETE_TERMS: Sql = Sql::new(
    "DELETE FROM contact_terms INDEXED BY contact_terms_by_contact
     WHERE location_id = $1 AND contact_id = $2",
);
static INSERT_TERM: Sql = Sql::new(
    "INSERT INTO contact_terms (location_id, term, contact_id, date_added)
     VALUES ($1, $2, $3, $4)",
);
/// The contact's key in the posting index (`contact_posting_keys`), given at its first write.
static POSTING_KEY: Sql = Sql::new(
    "INSERT INTO contact_posting_keys (location_id, contact_id, date_added)
     VALUES ($1, $2, $3)
     ON CONFLICT (location_id, contact_id) DO UPDATE SET date_added = excluded.date_added
     RETURNING key",
);
static POSTING_ROW: Sql =
    Sql::new("INSERT OR REPLACE INTO contact_postings (rowid, words) VALUES ($1, $2)");

/// A contact's posting rows written in one statement at the end of a batch: (key, words) pairs
/// as a JSON array.
static POSTING_ROWS: Sql = Sql::new(
    "INSERT OR REPLACE INTO contact_postings (rowid, words)
     SELECT value ->> 0, value ->> 1 FROM json_each($1)",
);

/// Writes the contact's row, then its index rows.
pub(crate) fn write_contact<'c>(db: &'c mut dyn Db, c: &'c Contact, new: bool) -> DbFuture<'c, ()> {
    Box::pin(async move {
        if let Some((key, words)) = write_rows(db, c, new).await? {
            db.execute(&POSTING_ROW, params![key, &words]).await?;
        }
        Ok(())
    })
}

/// Writes contacts in order as `write_contact` does, but every posting row in one statement
/// after the rest. FTS5 writes the rows it holds in memory to disk as a new segment at each
/// statement journal opened after them (its `xSavepoint`), and nearly every statement here
/// opens one: a posting row per statement made a segment per contact, and merging those
/// segments read most of the index, so the import of 100,000 rows spent most of its time in
/// `fts5IndexMergeLevel` (perf) and slowed down as the index grew.
pub(crate) fn write_contacts<'c>(
    db: &'c mut dyn Db,
    writes: &'c [ContactWrite],
) -> DbFuture<'c, ()> {
    Box::pin(async move {
        let mut postings = Vec::new();
        for w in writes {
            let new = matches!(w, ContactWrite::Insert(_));
            if let Some(posting) = write_rows(db, w.contact(), new).await? {
                postings.push(posting);
            }
        }
        if postings.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(&postings)
            .map_err(|e| StoreError::Other(format!("encoding posting rows: {e}")))?;
        db.execute(&POSTING_ROWS, params![&json]).await?;
        Ok(())
    })
}

/// The contact's row and its tag and word rows; its posting row's key and words when its
/// words changed (the caller writes the row: FTS5 is best written last).
fn write_rows<'c>(
    db: &'c mut dyn Db,
    c: &'c Contact,
    new: bool,
) -> DbFuture<'c, Option<(i64, String)>> {
    Box::pin(async move {
        if new {
            insert_contact_row(db, c).await?;
        } else {
            update_contact_row(db, c).await?;
        }
        index_contact(db, c).await
    })
}

/// Replaces the contact's tag rows, and its word rows when its words changed; then the posting
/// row's key and words, for the caller to write.
fn index_contact<'c>(db: &'c mut dyn Db, c: &'c Contact) -> DbFuture<'c, Option<(i64, String)>> {
    Box::pin(async move {
        let (location, id) = (&c.location_id, &c.id);
        db.execute(&DELETE_TAGS, params![location, id]).await?;
        for tag in &c.fields.tags {
            db.execute(&INSERT_TAG, params![location, id, tag]).await?;
        }
        let terms = contact_terms(c);
        let stored = db
            .rows(&STORED_TERMS, params![location, id], |r| r.string(0))
            .await?;
        if stored.into_iter().collect::<BTreeSet<_>>() == terms {
            // The words did not change (a tag, a note field): the word rows and the posting
            // row stay as they are, and no FTS5 segment is written.
            return Ok(None);
        }
        db.execute(&DELETE_TERMS, params![location, id]).await?;
        for term in &terms {
            let p = params![location, term, id, c.date_added];
            db.execute(&INSERT_TERM, p).await?;
        }
        let p = params![location, id, c.date_added];
        let key = db.one(&POSTING_KEY, p, |r| r.int(0)).await?;
        Ok(Some((key, fts5_document(location.as_str(), &terms))))
    })
}

/// The shared contact decoder in rusqlite's shape, for statements run on the driver itself
/// (the searches, migration 12).
pub(crate) fn contact_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    contact(&SqliteRow(row)).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
    })
}

/// Writes the word rows of every contact stored before `contact_terms` existed (migration
/// 12's Rust step, in its transaction).
pub(crate) fn index_existing_contacts(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut select = tx.prepare(&format!("SELECT {CONTACT_COLUMNS_V12} FROM contacts"))?;
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO contact_terms (location_id, term, contact_id, date_added)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let c = contact_before_attribution(&SqliteRow(row)).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?;
        for t in contact_terms(&c) {
            insert.execute(rusqlite::params![
                c.location_id.as_str(),
                t,
                c.id.as_str(),
                c.date_added.0
            ])?;
        }
    }
    Ok(())
}
