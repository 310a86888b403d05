//! Notes on contacts. The foreign key of migration 3 keeps a note in its contact's location,
//! so a refused reference surfaces as a foreign-key violation: `NotFound`.

use async_trait::async_trait;
use ivorey_core::contact::Note;
use ivorey_core::ids::NoteId;
use ivorey_core::{ContactId, LocationId};

use super::{Row, Sql, SqlBackend, changed_by, encoded, id, opt_id, ts};
use crate::{NoteStore, StoreError, StoreResult, params, run};

static LIST: Sql = Sql::new(
    "SELECT id, contact_id, body, user_id, date_added, created_by, updated_by FROM contact_notes
     WHERE location_id = $1 AND contact_id = $2 ORDER BY date_added, id",
);
static GET: Sql = Sql::new(
    "SELECT id, contact_id, body, user_id, date_added, created_by, updated_by FROM contact_notes
     WHERE id = $1 AND location_id = $2 AND contact_id = $3",
);
static INSERT: Sql = Sql::new(
    "INSERT INTO contact_notes (id, location_id, contact_id, body, user_id, date_added,
         created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
);
static UPDATE: Sql = Sql::new(
    "UPDATE contact_notes SET body = $4, user_id = $5, updated_by = $6
     WHERE id = $1 AND location_id = $2 AND contact_id = $3",
);
static DELETE: Sql =
    Sql::new("DELETE FROM contact_notes WHERE id = $1 AND location_id = $2 AND contact_id = $3");

fn note(row: &dyn Row) -> StoreResult<Note> {
    Ok(Note {
        id: id(row, 0)?,
        contact_id: id(row, 1)?,
        body: row.string(2)?,
        user_id: opt_id(row, 3)?,
        date_added: ts(row, 4)?,
        created_by: changed_by(row, 5)?,
        updated_by: changed_by(row, 6)?,
    })
}

#[async_trait]
impl<B: SqlBackend> NoteStore for B {
    async fn list_notes(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Note>> {
        run!(self.read, [location, contact], |db| {
            db.rows(&LIST, params![&location, &contact], note).await
        })
    }

    async fn get_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        note_id: &NoteId,
    ) -> StoreResult<Option<Note>> {
        run!(self.lookup, [location, contact, note_id], |db| {
            db.opt(&GET, params![&note_id, &location, &contact], note)
                .await
        })
    }

    async fn insert_note(&self, location: &LocationId, n: &Note) -> StoreResult<()> {
        run!(self.write, [location, n], |db| {
            let (created_by, updated_by) = (encoded(&n.created_by), encoded(&n.updated_by));
            let p = params![
                &n.id,
                &location,
                &n.contact_id,
                &n.body,
                n.user_id.as_ref(),
                n.date_added,
                &created_by,
                &updated_by
            ];
            match db.execute(&INSERT, p).await {
                Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("note already exists")),
                other => other.map(drop),
            }
        })
    }

    async fn update_note(&self, location: &LocationId, n: &Note) -> StoreResult<()> {
        run!(self.write, [location, n], |db| {
            let updated_by = encoded(&n.updated_by);
            let p = params![
                &n.id,
                &location,
                &n.contact_id,
                &n.body,
                n.user_id.as_ref(),
                &updated_by
            ];
            db.change(&UPDATE, p).await
        })
    }

    async fn delete_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        note_id: &NoteId,
    ) -> StoreResult<()> {
        run!(self.write, [location, contact, note_id], |db| {
            db.change(&DELETE, params![&note_id, &location, &contact])
                .await
        })
    }
}
