//! PostgreSQL's index rows of a contact: its tags, its words and its row of the GIN posting
//! index, rewritten with every write of the contact (`SqlBackend::index_contact`).

use deadpool_postgres::Transaction;
use ivorey_core::contact::Contact;
use ivorey_core::contact_terms::contact_terms;
use ivorey_store::sql::contacts::contact;
use ivorey_store::sql::{Db, DbFuture, Param, Sql};
use ivorey_store::{StoreResult, params};

pub(crate) use ivorey_store::sql::contacts::CONTACT_COLUMNS as COLUMNS;

use crate::error::db_err;
use crate::row::PgRow;

static DELETE_TAGS: Sql =
    Sql::new("DELETE FROM contact_tags WHERE location_id = $1 AND contact_id = $2");
static INSERT_TAGS: Sql = Sql::new(
    "INSERT INTO contact_tags (location_id, contact_id, tag)
     SELECT $1, $2, t FROM unnest($3::text[]) t ON CONFLICT DO NOTHING",
);
static DELETE_TERMS: Sql =
    Sql::new("DELETE FROM contact_terms WHERE location_id = $1 AND contact_id = $2");
/// The contact's word rows (none may exist yet), `$4` its words.
static WORDS: Sql = Sql::new(
    "INSERT INTO contact_terms (location_id, contact_id, date_added, term)
     SELECT $1, $2, $3, t FROM unnest($4::text[]) t",
);
/// `WORDS`, and the contact's row of the posting index (`contact_postings`: its words, of
/// which the index computes the lexemes), in one statement (one round trip). The row is left
/// as it is when the words are the same (a tag or a custom field changed): no new row
/// version, no index entries.
static WORDS_AND_POSTINGS: Sql = Sql::new(
    "WITH words AS (INSERT INTO contact_terms (location_id, contact_id, date_added, term)
         SELECT $1, $2, $3, t FROM unnest($4::text[]) t)
     INSERT INTO contact_postings AS p (location_id, contact_id, date_added, terms)
     VALUES ($1, $2, $3, $4::text[]) ON CONFLICT (location_id, contact_id)
     DO UPDATE SET date_added = excluded.date_added, terms = excluded.terms
     WHERE p.terms IS DISTINCT FROM excluded.terms
     OR p.date_added IS DISTINCT FROM excluded.date_added",
);

/// Replaces the contact's tag rows, word rows and posting row, in four statements.
pub(crate) fn index_contact<'c>(db: &'c mut dyn Db, c: &'c Contact) -> DbFuture<'c, ()> {
    Box::pin(async move {
        let (location, id) = (&c.location_id, &c.id);
        db.execute(&DELETE_TAGS, params![location, id]).await?;
        if !c.fields.tags.is_empty() {
            let p = &[location.into(), id.into(), Param::TextArray(&c.fields.tags)];
            db.execute(&INSERT_TAGS, p).await?;
        }
        db.execute(&DELETE_TERMS, params![location, id]).await?;
        let terms: Vec<String> = contact_terms(c).into_iter().collect();
        let p = &[
            location.into(),
            id.into(),
            c.date_added.into(),
            Param::TextArray(&terms),
        ];
        db.execute(&WORDS_AND_POSTINGS, p).await?;
        Ok(())
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
        .query(&format!("SELECT {COLUMNS} FROM contacts"), &[])
        .await
        .map_err(db_err)?;
    let words = tx
        .prepare(WORDS.text(ivorey_store::sql::Dialect::Postgres))
        .await
        .map_err(db_err)?;
    for row in &rows {
        let c = from_row(row)?;
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
