//! A contact's write on PostgreSQL (`SqlBackend::write_contact`): its row, tags, words and row
//! of the GIN posting index in one statement.

use deadpool_postgres::Transaction;
use ivorey_core::contact::Contact;
use ivorey_core::contact_terms::contact_terms;
use ivorey_store::sql::contacts::{ContactRow, contact};
use ivorey_store::sql::{Db, DbFuture, Param, Sql};
use ivorey_store::{StoreError, StoreResult};

pub(crate) use ivorey_store::sql::contacts::CONTACT_COLUMNS as COLUMNS;
use ivorey_store::sql::contacts::{CONTACT_COLUMNS_V12 as COLUMNS_V12, contact_before_attribution};

use crate::error::db_err;
use crate::row::PgRow;

/// A new contact's row, tag rows, word rows and posting row, in one statement (one round
/// trip). The index rows select from the inserted row, so none is written without it; their
/// foreign keys are checked at the end of the statement, when the row is there.
static INSERT: Sql = Sql::new(
    "WITH contact AS (
         INSERT INTO contacts (id, location_id, data, search_text, email_lower, date_added,
             date_updated, phone_norm, first_name_lower, last_name_lower, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING location_id, id, date_added),
     tags AS (
         INSERT INTO contact_tags (location_id, contact_id, tag)
         SELECT c.location_id, c.id, t FROM contact c, unnest($13::text[]) t
         ON CONFLICT DO NOTHING),
     words AS (
         INSERT INTO contact_terms (location_id, contact_id, date_added, term)
         SELECT c.location_id, c.id, c.date_added, t FROM contact c, unnest($14::text[]) t)
     INSERT INTO contact_postings (location_id, contact_id, date_added, terms)
     SELECT c.location_id, c.id, c.date_added, $14::text[] FROM contact c",
);

/// A contact's row rewritten and its index rows brought to its fields, in one statement. The
/// parts of one statement see the rows as they were before it, and none may change a row
/// another changes: so tags and words no longer in the contact are deleted, new ones inserted
/// (`ON CONFLICT DO NOTHING` keeps those already there), never the same row twice. Nothing
/// happens to the index rows when the row is not in its location; the count says whether it
/// was. The posting row is left as it is when the words are the same (a tag or a custom field
/// changed): no new row version, no index entries.
static UPDATE: Sql = Sql::new(
    "WITH contact AS (
         UPDATE contacts SET data = $3, search_text = $4, email_lower = $5, date_updated = $6,
             phone_norm = $7, first_name_lower = $8, last_name_lower = $9, updated_by = $10
         WHERE id = $1 AND location_id = $2
         RETURNING location_id, id, date_added),
     old_tags AS (
         DELETE FROM contact_tags x USING contact c
         WHERE x.location_id = c.location_id AND x.contact_id = c.id
           AND NOT (x.tag = ANY ($11::text[]))),
     new_tags AS (
         INSERT INTO contact_tags (location_id, contact_id, tag)
         SELECT c.location_id, c.id, t FROM contact c, unnest($11::text[]) t
         ON CONFLICT DO NOTHING),
     old_words AS (
         DELETE FROM contact_terms x USING contact c
         WHERE x.location_id = c.location_id AND x.contact_id = c.id
           AND NOT (x.term = ANY ($12::text[]))),
     new_words AS (
         INSERT INTO contact_terms (location_id, contact_id, date_added, term)
         SELECT c.location_id, c.id, c.date_added, t FROM contact c, unnest($12::text[]) t
         ON CONFLICT DO NOTHING),
     postings AS (
         INSERT INTO contact_postings AS p (location_id, contact_id, date_added, terms)
         SELECT c.location_id, c.id, c.date_added, $12::text[] FROM contact c
         ON CONFLICT (location_id, contact_id)
         DO UPDATE SET date_added = excluded.date_added, terms = excluded.terms
         WHERE p.terms IS DISTINCT FROM excluded.terms
            OR p.date_added IS DISTINCT FROM excluded.date_added)
     SELECT count(*) FROM contact",
);

/// The word rows of a contact stored before `contact_terms` existed (migration 12), `$4` its
/// words.
static WORDS: Sql = Sql::new(
    "INSERT INTO contact_terms (location_id, contact_id, date_added, term)
     SELECT $1, $2, $3, t FROM unnest($4::text[]) t",
);

/// Writes the contact's row and every index row of it in one statement.
pub(crate) fn write_contact<'c>(db: &'c mut dyn Db, c: &'c Contact, new: bool) -> DbFuture<'c, ()> {
    Box::pin(async move {
        let row = ContactRow::of(c)?;
        let terms: Vec<String> = contact_terms(c).into_iter().collect();
        let mut p = row.params(c, new);
        p.extend([Param::TextArray(&c.fields.tags), Param::TextArray(&terms)]);
        if new {
            return match db.execute(&INSERT, &p).await {
                Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("contact already exists")),
                other => other.map(drop),
            };
        }
        match db.one(&UPDATE, &p, |r| r.int(0)).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    })
}

/// The shared contact decoder for statements run on the driver itself (the searches).
pub(crate) fn from_row(row: &tokio_postgres::Row) -> StoreResult<Contact> {
    contact(&PgRow(row))
}

/// Writes the word rows of every contact stored before `contact_terms` existed (migration
/// 12's Rust step, in its transaction).
pub(crate) async fn index_existing_contacts(tx: &Transaction<'_>) -> StoreResult<()> {
    let rows = tx
        .query(&format!("SELECT {COLUMNS_V12} FROM contacts"), &[])
        .await
        .map_err(db_err)?;
    let words = tx
        .prepare(WORDS.text(ivorey_store::sql::Dialect::Postgres))
        .await
        .map_err(db_err)?;
    for row in &rows {
        let c = contact_before_attribution(&PgRow(row))?;
        let terms: Vec<String> = contact_terms(&c).into_iter().collect();
        tx.execute(
            &words,
            &[
                &c.location_id.as_str(),
                &c.id.as_str(),
                &c.date_added.millis(),
                &terms,
            ],
        )
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
