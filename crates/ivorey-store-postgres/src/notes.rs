//! Notes on contacts. The foreign key of migration 3 keeps a note in its contact's location;
//! `db_err` turns a refused reference into `NotFound`.

use async_trait::async_trait;
use ivorey_core::contact::Note;
use ivorey_core::ids::NoteId;
use ivorey_core::{ContactId, LocationId, UserId};
use ivorey_store::{NoteStore, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::db_err;
use crate::row::{get, id, opt_id, ts};

const COLUMNS: &str = "id, contact_id, body, user_id, date_added";

fn from_row(row: &Row) -> StoreResult<Note> {
    Ok(Note {
        id: id(row, "id")?,
        contact_id: id(row, "contact_id")?,
        body: get(row, "body")?,
        user_id: opt_id(row, "user_id")?,
        date_added: ts(row, "date_added")?,
    })
}

#[async_trait]
impl NoteStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn list_notes(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Note>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contact_notes WHERE location_id = $1 AND contact_id = $2 \
             ORDER BY date_added, id"
        );
        let rows = client
            .query(&sql, &[&location.as_str(), &contact.as_str()])
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn get_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<Option<Note>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contact_notes \
             WHERE id = $1 AND location_id = $2 AND contact_id = $3"
        );
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str(), &contact.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn insert_note(&self, location: &LocationId, note: &Note) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO contact_notes (id, location_id, contact_id, body, user_id, \
                 date_added) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &note.id.as_str(),
                    &location.as_str(),
                    &note.contact_id.as_str(),
                    &note.body,
                    &note.user_id.as_ref().map(UserId::as_str),
                    &note.date_added.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn update_note(&self, location: &LocationId, note: &Note) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE contact_notes SET body = $4, user_id = $5 \
                 WHERE id = $1 AND location_id = $2 AND contact_id = $3",
                &[
                    &note.id.as_str(),
                    &location.as_str(),
                    &note.contact_id.as_str(),
                    &note.body,
                    &note.user_id.as_ref().map(UserId::as_str),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn delete_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let removed = client
            .execute(
                "DELETE FROM contact_notes WHERE id = $1 AND location_id = $2 AND contact_id = $3",
                &[&id.as_str(), &location.as_str(), &contact.as_str()],
            )
            .await
            .map_err(db_err)?;
        if removed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}
