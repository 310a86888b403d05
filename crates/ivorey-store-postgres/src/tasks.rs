//! Tasks on contacts. The foreign key of migration 4 keeps a task in its contact's location;
//! `db_err` turns a refused reference into `NotFound`.

use async_trait::async_trait;
use ivorey_core::ids::TaskId;
use ivorey_core::task::Task;
use ivorey_core::{ContactId, LocationId, UserId};
use ivorey_store::{StoreError, StoreResult, TaskStore};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::db_err;
use crate::row::{get, id, opt_id, ts};

const COLUMNS: &str =
    "id, contact_id, title, body, due_date, completed, assigned_to, date_added, date_updated";

fn from_row(row: &Row) -> StoreResult<Task> {
    Ok(Task {
        id: id(row, "id")?,
        contact_id: id(row, "contact_id")?,
        title: get(row, "title")?,
        body: get(row, "body")?,
        due_date: ts(row, "due_date")?,
        completed: get(row, "completed")?,
        assigned_to: opt_id(row, "assigned_to")?,
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

fn done(changed: u64) -> StoreResult<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl TaskStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn list_tasks(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Task>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contact_tasks WHERE location_id = $1 AND contact_id = $2 \
             ORDER BY due_date, id"
        );
        let rows = client
            .query(&sql, &[&location.as_str(), &contact.as_str()])
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn get_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<Option<Task>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contact_tasks \
             WHERE id = $1 AND location_id = $2 AND contact_id = $3"
        );
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str(), &contact.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn insert_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        let client = self.client().await?;
        let sql = format!(
            "INSERT INTO contact_tasks (location_id, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        client
            .execute(
                &sql,
                &[
                    &location.as_str(),
                    &t.id.as_str(),
                    &t.contact_id.as_str(),
                    &t.title,
                    &t.body,
                    &t.due_date.millis(),
                    &t.completed,
                    &t.assigned_to.as_ref().map(UserId::as_str),
                    &t.date_added.millis(),
                    &t.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn update_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE contact_tasks SET title = $4, body = $5, due_date = $6, completed = $7, \
                 assigned_to = $8, date_updated = $9 \
                 WHERE id = $1 AND location_id = $2 AND contact_id = $3",
                &[
                    &t.id.as_str(),
                    &location.as_str(),
                    &t.contact_id.as_str(),
                    &t.title,
                    &t.body,
                    &t.due_date.millis(),
                    &t.completed,
                    &t.assigned_to.as_ref().map(UserId::as_str),
                    &t.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        done(changed)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "DELETE FROM contact_tasks WHERE id = $1 AND location_id = $2 AND contact_id = $3",
                &[&id.as_str(), &location.as_str(), &contact.as_str()],
            )
            .await
            .map_err(db_err)?;
        done(changed)
    }
}
