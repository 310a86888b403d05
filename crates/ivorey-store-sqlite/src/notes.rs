//! Notes on contacts in SQLite. The foreign key of migration 3 keeps a note in its contact's
//! location, so a refused reference surfaces as a foreign-key violation and becomes `NotFound`.

use async_trait::async_trait;
use ivorey_core::contact::Note;
use ivorey_core::ids::NoteId;
use ivorey_core::{ContactId, LocationId, Timestamp, UserId};
use ivorey_store::{NoteStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

const COLUMNS: &str = "id, contact_id, body, user_id, date_added";

fn note_from_row(row: &Row<'_>) -> rusqlite::Result<Note> {
    let id: String = row.get(0)?;
    let contact: String = row.get(1)?;
    let user: Option<String> = row.get(3)?;
    Ok(Note {
        id: NoteId::parse(&id).map_err(|e| conversion_err(0, e))?,
        contact_id: ContactId::parse(&contact).map_err(|e| conversion_err(1, e))?,
        body: row.get(2)?,
        user_id: user
            .map(|u| UserId::parse(&u).map_err(|e| conversion_err(3, e)))
            .transpose()?,
        date_added: Timestamp(row.get(4)?),
    })
}

/// Maps an insert's error: a contact missing from the location is `NotFound`.
fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("note already exists")
    } else {
        db_err(e)
    }
}

#[async_trait]
impl NoteStore for SqliteStore {
    async fn list_notes(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Note>> {
        let (location, contact) = (location.clone(), contact.clone());
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM contact_notes WHERE location_id = ?1 AND contact_id = ?2
                     ORDER BY date_added, id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![location.as_str(), contact.as_str()], note_from_row)
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn get_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<Option<Note>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM contact_notes
                 WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3"
            ))
            .map_err(db_err)?
            .query_row(
                params![id.as_str(), location.as_str(), contact.as_str()],
                note_from_row,
            )
            .optional()
            .map_err(db_err)
        })
    }

    async fn insert_note(&self, location: &LocationId, note: &Note) -> StoreResult<()> {
        let (location, n) = (location.clone(), note.clone());
        self.call(move |conn| {
            conn.prepare_cached(
                "INSERT INTO contact_notes (id, location_id, contact_id, body, user_id, date_added)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db_err)?
            .execute(params![
                n.id.as_str(),
                location.as_str(),
                n.contact_id.as_str(),
                n.body,
                n.user_id.as_ref().map(UserId::as_str),
                n.date_added.0
            ])
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn update_note(&self, location: &LocationId, note: &Note) -> StoreResult<()> {
        let (location, n) = (location.clone(), note.clone());
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE contact_notes SET body = ?4, user_id = ?5
                     WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3",
                )
                .map_err(db_err)?
                .execute(params![
                    n.id.as_str(),
                    location.as_str(),
                    n.contact_id.as_str(),
                    n.body,
                    n.user_id.as_ref().map(UserId::as_str)
                ])
                .map_err(db_err)?;
            if changed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn delete_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<()> {
        let (location, contact, id) = (location.clone(), contact.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM contact_notes WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3",
                    params![id.as_str(), location.as_str(), contact.as_str()],
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
}
