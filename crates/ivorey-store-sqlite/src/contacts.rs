//! Contacts in SQLite: the fields as JSON, with the columns (and tag rows) that lists, upserts
//! and searches use.

use std::collections::BTreeSet;

use async_trait::async_trait;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::contact_terms::contact_terms;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::contact_search::{SearchPlan, fts5_document};
use ivorey_store::{ContactPage, ContactQuery, ContactStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use crate::contact_search::run_search;
use crate::locations::conversion_err;
use crate::{SqliteStore, db_err};

pub(crate) fn contact_from_row(row: &Row<'_>) -> rusqlite::Result<Contact> {
    let id: String = row.get(0)?;
    let location: String = row.get(1)?;
    let data: String = row.get(2)?;
    Ok(Contact {
        id: ContactId::parse(&id).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&location).map_err(|e| conversion_err(1, e))?,
        fields: serde_json::from_str::<ContactFields>(&data).map_err(|e| conversion_err(2, e))?,
        date_added: Timestamp(row.get(3)?),
        date_updated: Timestamp(row.get(4)?),
    })
}

/// Inserts the contact's row (its JSON and the columns queries use); the caller writes its
/// index rows once the row is in.
pub(crate) fn insert_row(tx: &rusqlite::Transaction<'_>, c: &Contact) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "INSERT INTO contacts (id, location_id, data, search_text, email_lower, date_added,
             date_updated, phone_norm, first_name_lower, last_name_lower)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        c.id.as_str(),
        c.location_id.as_str(),
        serde_json::to_string(&c.fields).map_err(|e| conversion_err(2, e))?,
        c.search_text(),
        c.email_lower(),
        c.date_added.0,
        c.date_updated.0,
        c.phone_norm(),
        c.first_name_lower(),
        c.last_name_lower()
    ])
}

/// Rewrites the contact's row in place; 0 when it is not in its location.
pub(crate) fn update_row(tx: &rusqlite::Transaction<'_>, c: &Contact) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE contacts SET data = ?3, search_text = ?4, email_lower = ?5, date_updated = ?6,
             phone_norm = ?7, first_name_lower = ?8, last_name_lower = ?9
         WHERE id = ?1 AND location_id = ?2",
    )?
    .execute(params![
        c.id.as_str(),
        c.location_id.as_str(),
        serde_json::to_string(&c.fields).map_err(|e| conversion_err(2, e))?,
        c.search_text(),
        c.email_lower(),
        c.date_updated.0,
        c.phone_norm(),
        c.first_name_lower(),
        c.last_name_lower()
    ])
}

/// Replaces the contact's index rows, its tags (`contact_tags`) and its words
/// (`contact_terms`, and its row of the posting index), with those of its current fields.
/// Every write of a contact calls it in the write's transaction.
pub(crate) fn write_index_rows(tx: &rusqlite::Transaction<'_>, c: &Contact) -> StoreResult<()> {
    let (location, id) = (c.location_id.as_str(), c.id.as_str());
    tx.prepare_cached("DELETE FROM contact_tags WHERE location_id = ?1 AND contact_id = ?2")
        .map_err(db_err)?
        .execute(params![location, id])
        .map_err(db_err)?;
    let mut tag = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO contact_tags (location_id, contact_id, tag) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_err)?;
    for t in &c.fields.tags {
        tag.execute(params![location, id, t]).map_err(db_err)?;
    }
    let terms = contact_terms(c);
    if stored_terms(tx, c)? == terms {
        // The words did not change (a tag, a note field): the word rows and the posting row
        // stay as they are, and no FTS5 segment is written.
        return Ok(());
    }
    // Without statistics SQLite 3.54 plans this as a walk of the location's whole word index
    // (PRIMARY KEY (location_id=?)): 8.6 ms per write at 6,000 contacts, growing with every
    // contact. The by-contact index finds the contact's few rows.
    tx.prepare_cached(
        "DELETE FROM contact_terms INDEXED BY contact_terms_by_contact
         WHERE location_id = ?1 AND contact_id = ?2",
    )
    .map_err(db_err)?
    .execute(params![location, id])
    .map_err(db_err)?;
    let mut term = tx
        .prepare_cached(
            "INSERT INTO contact_terms (location_id, term, contact_id, date_added)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(db_err)?;
    for t in &terms {
        term.execute(params![location, t, id, c.date_added.0])
            .map_err(db_err)?;
    }
    write_postings(tx, c, &terms)
}

/// The contact's words as its word rows hold them (none for a new contact).
fn stored_terms(tx: &rusqlite::Transaction<'_>, c: &Contact) -> StoreResult<BTreeSet<String>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT term FROM contact_terms INDEXED BY contact_terms_by_contact
             WHERE location_id = ?1 AND contact_id = ?2",
        )
        .map_err(db_err)?;
    let terms = stmt
        .query_map(params![c.location_id.as_str(), c.id.as_str()], |r| r.get(0))
        .map_err(db_err)?
        .collect::<Result<BTreeSet<String>, _>>()
        .map_err(db_err)?;
    Ok(terms)
}

/// Replaces the contact's row of the posting index (`contact_postings`), under the key its
/// first write gave it (`contact_posting_keys`).
fn write_postings(
    tx: &rusqlite::Transaction<'_>,
    c: &Contact,
    terms: &BTreeSet<String>,
) -> StoreResult<()> {
    let key: i64 = tx
        .prepare_cached(
            "INSERT INTO contact_posting_keys (location_id, contact_id, date_added)
             VALUES (?1, ?2, ?3)
             ON CONFLICT (location_id, contact_id) DO UPDATE SET date_added = excluded.date_added
             RETURNING key",
        )
        .map_err(db_err)?
        .query_row(
            params![c.location_id.as_str(), c.id.as_str(), c.date_added.0],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    let words = fts5_document(c.location_id.as_str(), terms);
    tx.prepare_cached("INSERT OR REPLACE INTO contact_postings (rowid, words) VALUES (?1, ?2)")
        .map_err(db_err)?
        .execute(params![key, words])
        .map_err(db_err)?;
    Ok(())
}

/// Writes the word rows of every contact stored before `contact_terms` existed (migration
/// 12's Rust step, in its transaction).
pub(crate) fn index_existing_contacts(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut select =
        tx.prepare("SELECT id, location_id, data, date_added, date_updated FROM contacts")?;
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO contact_terms (location_id, term, contact_id, date_added)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let c = contact_from_row(row)?;
        for t in contact_terms(&c) {
            insert.execute(params![
                c.location_id.as_str(),
                t,
                c.id.as_str(),
                c.date_added.0
            ])?;
        }
    }
    Ok(())
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn insert_contact(&self, c: &Contact) -> StoreResult<()> {
        let c = c.clone();
        self.call(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            insert_row(&tx, &c).map_err(db_err)?;
            write_index_rows(&tx, &c)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn get_contact(
        &self,
        location: &LocationId,
        id: &ContactId,
    ) -> StoreResult<Option<Contact>> {
        // A primary-key lookup: run in place, like the token lookup.
        self.read_now(|conn| {
            conn.prepare_cached(
                "SELECT id, location_id, data, date_added, date_updated FROM contacts
                 WHERE id = ?1 AND location_id = ?2",
            )
            .map_err(db_err)?
            .query_row(params![id.as_str(), location.as_str()], contact_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn find_contact_by_email(
        &self,
        location: &LocationId,
        email_lower: &str,
    ) -> StoreResult<Option<Contact>> {
        self.read_now(|conn| {
            conn.prepare_cached(
                "SELECT id, location_id, data, date_added, date_updated FROM contacts
                 WHERE location_id = ?1 AND email_lower = ?2 ORDER BY date_added, id LIMIT 1",
            )
            .map_err(db_err)?
            .query_row(params![location.as_str(), email_lower], contact_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn find_contact_by_phone(
        &self,
        location: &LocationId,
        phone_norm: &str,
    ) -> StoreResult<Option<Contact>> {
        self.read_now(|conn| {
            conn.prepare_cached(
                "SELECT id, location_id, data, date_added, date_updated FROM contacts
                 WHERE location_id = ?1 AND phone_norm = ?2 ORDER BY date_added, id LIMIT 1",
            )
            .map_err(db_err)?
            .query_row(params![location.as_str(), phone_norm], contact_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn update_contact(&self, c: &Contact) -> StoreResult<()> {
        let c = c.clone();
        self.call(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            let changed = update_row(&tx, &c).map_err(db_err)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            write_index_rows(&tx, &c)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn delete_contact(&self, location: &LocationId, id: &ContactId) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            // Its index rows go by the cascade (the FTS5 row by migration 13's trigger).
            let removed = conn
                .prepare_cached("DELETE FROM contacts WHERE id = ?1 AND location_id = ?2")
                .map_err(db_err)?
                .execute(params![id.as_str(), location.as_str()])
                .map_err(db_err)?;
            if removed == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }

    async fn list_contacts(
        &self,
        location: &LocationId,
        q: &ContactQuery,
    ) -> StoreResult<ContactPage> {
        let plan = SearchPlan::for_list(location, q);
        self.read(move |conn| {
            let (contacts, total) = run_search(conn, &plan)?;
            Ok(ContactPage { contacts, total })
        })
        .await
    }
}
