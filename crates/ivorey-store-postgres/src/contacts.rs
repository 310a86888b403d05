//! A contact's write on PostgreSQL (`SqlBackend::write_contact`): its row, tags, words and row
//! of the GIN posting index in one statement.

use deadpool_postgres::Transaction;
use ivorey_core::contact::Contact;
use ivorey_core::contact_terms::contact_terms;
use ivorey_store::sql::contacts::{ContactRow, contact};
use ivorey_store::sql::{Db, DbFuture, Param, Sql};
use ivorey_store::{ContactWrite, StoreError, StoreResult};

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

/// Many new contacts with their tag, word and posting rows in one statement, each column an
/// array (`''` for a missing value: arrays of `text` are bound without NULLs); a contact's tags
/// and words are pairs of arrays naming its id. The posting row gets the contact's words in
/// the order given (`WITH ORDINALITY`), as the single insert's `$14` does.
static INSERT_MANY: Sql = Sql::new(
    "WITH contact AS (
         INSERT INTO contacts (id, location_id, data, search_text, email_lower, date_added,
             date_updated, phone_norm, first_name_lower, last_name_lower, created_by, updated_by)
         SELECT id, location_id, data, search_text, NULLIF(email, ''), added, updated,
             NULLIF(phone, ''), first_name, last_name, NULLIF(created_by, ''),
             NULLIF(updated_by, '')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
             $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
             AS u(id, location_id, data, search_text, email, added, updated, phone, first_name,
                  last_name, created_by, updated_by)
         RETURNING location_id, id, date_added),
     tags AS (
         INSERT INTO contact_tags (location_id, contact_id, tag)
         SELECT c.location_id, c.id, t.tag
         FROM contact c JOIN unnest($13::text[], $14::text[]) AS t(contact_id, tag)
             ON t.contact_id = c.id
         ON CONFLICT DO NOTHING),
     terms AS (
         SELECT * FROM unnest($15::text[], $16::text[]) WITH ORDINALITY AS w(contact_id, term, n)),
     words AS (
         INSERT INTO contact_terms (location_id, contact_id, date_added, term)
         SELECT c.location_id, c.id, c.date_added, w.term
         FROM contact c JOIN terms w ON w.contact_id = c.id),
     grouped AS (
         SELECT contact_id, array_agg(term ORDER BY n) AS terms FROM terms GROUP BY contact_id)
     INSERT INTO contact_postings (location_id, contact_id, date_added, terms)
     SELECT c.location_id, c.id, c.date_added, COALESCE(g.terms, '{}')
     FROM contact c LEFT JOIN grouped g ON g.contact_id = c.id",
);

/// Contacts per `INSERT_MANY`: its arrays stay a few megabytes.
const INSERT_CHUNK: usize = 1_000;

/// Writes contacts in order: each run of new ones `INSERT_CHUNK` to a statement, each update
/// as `write_contact` does it.
pub(crate) fn write_contacts<'c>(
    db: &'c mut dyn Db,
    writes: &'c [ContactWrite],
) -> DbFuture<'c, ()> {
    Box::pin(async move {
        let mut new: Vec<&Contact> = Vec::with_capacity(INSERT_CHUNK.min(writes.len()));
        for w in writes {
            match w {
                ContactWrite::Insert(c) => {
                    new.push(c);
                    if new.len() == INSERT_CHUNK {
                        insert_chunk(db, &std::mem::take(&mut new)).await?;
                    }
                }
                ContactWrite::Update(c) => {
                    insert_chunk(db, &std::mem::take(&mut new)).await?;
                    write_contact(db, c, false).await?;
                }
            }
        }
        insert_chunk(db, &new).await
    })
}

async fn insert_chunk(db: &mut dyn Db, contacts: &[&Contact]) -> StoreResult<()> {
    let n = contacts.len();
    if n == 0 {
        return Ok(());
    }
    let mut text: [Vec<String>; 10] = std::array::from_fn(|_| Vec::with_capacity(n));
    let (mut added, mut updated) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut tag_of, mut tags, mut term_of, mut terms) = (vec![], vec![], vec![], vec![]);
    for c in contacts {
        let row = ContactRow::of(c)?;
        let id = c.id.as_str().to_owned();
        let values = [
            id.clone(),
            c.location_id.as_str().to_owned(),
            row.data,
            row.search,
            row.email.unwrap_or_default(),
            row.phone.unwrap_or_default(),
            row.first,
            row.last,
            row.created_by.unwrap_or_default(),
            row.updated_by.unwrap_or_default(),
        ];
        for (column, value) in text.iter_mut().zip(values) {
            column.push(value);
        }
        added.push(c.date_added.millis());
        updated.push(c.date_updated.millis());
        for tag in &c.fields.tags {
            tag_of.push(id.clone());
            tags.push(tag.clone());
        }
        for term in contact_terms(c) {
            term_of.push(id.clone());
            terms.push(term);
        }
    }
    let [
        ids,
        locations,
        data,
        search,
        emails,
        phones,
        firsts,
        lasts,
        creators,
        updaters,
    ] = &text;
    let p = [
        Param::TextArray(ids),
        Param::TextArray(locations),
        Param::TextArray(data),
        Param::TextArray(search),
        Param::TextArray(emails),
        Param::IntArray(&added),
        Param::IntArray(&updated),
        Param::TextArray(phones),
        Param::TextArray(firsts),
        Param::TextArray(lasts),
        Param::TextArray(creators),
        Param::TextArray(updaters),
        Param::TextArray(&tag_of),
        Param::TextArray(&tags),
        Param::TextArray(&term_of),
        Param::TextArray(&terms),
    ];
    match db.execute(&INSERT_MANY, &p).await {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("contact already exists")),
        other => other.map(drop),
    }
}

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
