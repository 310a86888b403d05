//! Tasks on contacts in SQLite. The foreign key of migration 4 keeps a task in its contact's
//! location, so a refused reference surfaces as a foreign-key violation and becomes `NotFound`.

use async_trait::async_trait;
use ivorey_core::ids::TaskId;
use ivorey_core::task::Task;
use ivorey_core::{ContactId, LocationId, Timestamp, UserId};
use ivorey_store::{StoreError, StoreResult, TaskStore};
use rusqlite::{OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err};

const COLUMNS: &str =
    "id, contact_id, title, body, due_date, completed, assigned_to, date_added, date_updated";

fn task_from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    let id: String = row.get(0)?;
    let contact: String = row.get(1)?;
    let user: Option<String> = row.get(6)?;
    Ok(Task {
        id: TaskId::parse(&id).map_err(|e| conversion_err(0, e))?,
        contact_id: ContactId::parse(&contact).map_err(|e| conversion_err(1, e))?,
        title: row.get(2)?,
        body: row.get(3)?,
        due_date: Timestamp(row.get(4)?),
        completed: row.get(5)?,
        assigned_to: user
            .map(|u| UserId::parse(&u).map_err(|e| conversion_err(6, e)))
            .transpose()?,
        date_added: Timestamp(row.get(7)?),
        date_updated: Timestamp(row.get(8)?),
    })
}

fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else {
        db_err(e)
    }
}

#[async_trait]
impl TaskStore for SqliteStore {
    async fn list_tasks(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Task>> {
        let (location, contact) = (location.clone(), contact.clone());
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM contact_tasks WHERE location_id = ?1 AND contact_id = ?2
                     ORDER BY due_date, id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![location.as_str(), contact.as_str()], task_from_row)
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn get_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<Option<Task>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM contact_tasks
                 WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3"
            ))
            .map_err(db_err)?
            .query_row(
                params![id.as_str(), location.as_str(), contact.as_str()],
                task_from_row,
            )
            .optional()
            .map_err(db_err)
        })
    }

    async fn insert_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        let (location, t) = (location.clone(), t.clone());
        self.call(move |conn| {
            conn.prepare_cached(&format!(
                "INSERT INTO contact_tasks (location_id, {COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .map_err(db_err)?
            .execute(params![
                location.as_str(),
                t.id.as_str(),
                t.contact_id.as_str(),
                t.title,
                t.body,
                t.due_date.0,
                t.completed,
                t.assigned_to.as_ref().map(UserId::as_str),
                t.date_added.0,
                t.date_updated.0
            ])
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn update_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        let (location, t) = (location.clone(), t.clone());
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE contact_tasks SET title = ?4, body = ?5, due_date = ?6, completed = ?7,
                         assigned_to = ?8, date_updated = ?9
                     WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3",
                )
                .map_err(db_err)?
                .execute(params![
                    t.id.as_str(),
                    location.as_str(),
                    t.contact_id.as_str(),
                    t.title,
                    t.body,
                    t.due_date.0,
                    t.completed,
                    t.assigned_to.as_ref().map(UserId::as_str),
                    t.date_updated.0
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

    async fn delete_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<()> {
        let (location, contact, id) = (location.clone(), contact.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM contact_tasks WHERE id = ?1 AND location_id = ?2 AND contact_id = ?3",
                    params![id.as_str(), location.as_str(), contact.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
        .await
    }
}
