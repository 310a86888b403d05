//! Contacts in SQLite: the fields as JSON, with the columns (and tag rows) that lists, upserts
//! and searches use.

use async_trait::async_trait;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::contact_search::TOTAL_CAP;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{
    ContactPage, ContactQuery, ContactStore, StoreError, StoreResult, contains_pattern,
};
use rusqlite::{OptionalExtension, Row, params};

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

fn to_json(fields: &ContactFields) -> StoreResult<String> {
    serde_json::to_string(fields).map_err(|e| StoreError::Other(e.to_string()))
}

/// Replaces the contact's rows in `contact_tags` with its current tags.
fn write_tags(tx: &rusqlite::Transaction<'_>, c: &Contact) -> StoreResult<()> {
    tx.prepare_cached("DELETE FROM contact_tags WHERE location_id = ?1 AND contact_id = ?2")
        .map_err(db_err)?
        .execute(params![c.location_id.as_str(), c.id.as_str()])
        .map_err(db_err)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO contact_tags (location_id, contact_id, tag) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_err)?;
    for tag in &c.fields.tags {
        insert
            .execute(params![c.location_id.as_str(), c.id.as_str(), tag])
            .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn insert_contact(&self, c: &Contact) -> StoreResult<()> {
        let c = c.clone();
        self.call(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            tx.prepare_cached(
                "INSERT INTO contacts (id, location_id, data, search_text, email_lower, date_added,
                     date_updated, phone_norm, first_name_lower, last_name_lower)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(db_err)?
            .execute(params![
                c.id.as_str(),
                c.location_id.as_str(),
                to_json(&c.fields)?,
                c.search_text(),
                c.email_lower(),
                c.date_added.0,
                c.date_updated.0,
                c.phone_norm(),
                c.first_name_lower(),
                c.last_name_lower()
            ])
            .map_err(db_err)?;
            write_tags(&tx, &c)?;
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
            let changed = tx
                .prepare_cached(
                    "UPDATE contacts SET data = ?3, search_text = ?4, email_lower = ?5,
                         date_updated = ?6, phone_norm = ?7, first_name_lower = ?8,
                         last_name_lower = ?9
                     WHERE id = ?1 AND location_id = ?2",
                )
                .map_err(db_err)?
                .execute(params![
                    c.id.as_str(),
                    c.location_id.as_str(),
                    to_json(&c.fields)?,
                    c.search_text(),
                    c.email_lower(),
                    c.date_updated.0,
                    c.phone_norm(),
                    c.first_name_lower(),
                    c.last_name_lower()
                ])
                .map_err(db_err)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            write_tags(&tx, &c)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn delete_contact(&self, location: &LocationId, id: &ContactId) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM contacts WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn list_contacts(
        &self,
        location: &LocationId,
        q: &ContactQuery,
    ) -> StoreResult<ContactPage> {
        let (location, q) = (location.clone(), q.clone());
        self.call(move |conn| {
            let pattern = q.query.as_deref().map(contains_pattern);
            let (after_at, after_id) = match &q.after {
                Some((at, id)) => (Some(at.0), Some(id.clone())),
                None => (None, None),
            };
            // Two statements rather than `?3 IS NULL OR ...`, so each can walk the
            // (location_id, date_added, id) index from where the page starts.
            let sql = match after_at {
                None => {
                    "SELECT id, location_id, data, date_added, date_updated FROM contacts
                     WHERE location_id = ?1 AND (?2 IS NULL OR search_text LIKE ?2 ESCAPE '\\')
                       AND ?3 IS NULL AND ?4 IS NULL
                     ORDER BY date_added, id LIMIT ?5"
                }
                Some(_) => {
                    "SELECT id, location_id, data, date_added, date_updated FROM contacts
                     WHERE location_id = ?1 AND (?2 IS NULL OR search_text LIKE ?2 ESCAPE '\\')
                       AND (date_added, id) > (?3, ?4)
                     ORDER BY date_added, id LIMIT ?5"
                }
            };
            let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![location.as_str(), pattern, after_at, after_id, q.limit],
                    contact_from_row,
                )
                .map_err(db_err)?;
            let contacts = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            // Counted up to TOTAL_CAP, as search does: an exact count of a million-contact
            // location on every page would cost more than the page.
            let total: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE location_id = ?1
                       AND (?2 IS NULL OR search_text LIKE ?2 ESCAPE '\\') LIMIT ?3)",
                )
                .map_err(db_err)?
                .query_row(params![location.as_str(), pattern, TOTAL_CAP as i64], |r| {
                    r.get(0)
                })
                .map_err(db_err)?;
            Ok(ContactPage {
                contacts,
                total: total.max(0) as u64,
            })
        })
        .await
    }
}
