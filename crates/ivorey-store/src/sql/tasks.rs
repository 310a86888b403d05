//! Tasks on contacts. The foreign key of migration 4 keeps a task in its contact's location,
//! so a refused reference surfaces as a foreign-key violation: `NotFound`.

use async_trait::async_trait;
use ivorey_core::ids::TaskId;
use ivorey_core::task::Task;
use ivorey_core::{ContactId, LocationId};

use super::{Row, Sql, SqlBackend, changed_by, encoded, id, opt_id, ts};
use crate::{StoreResult, TaskStore, params, run};

/// A task's columns in the order `task` reads them, each prefixed by `$t` (a table alias).
macro_rules! task_columns {
    ($t:literal) => {
        concat!(
            $t,
            "id, ",
            $t,
            "contact_id, ",
            $t,
            "title, ",
            $t,
            "body, ",
            $t,
            "due_date, ",
            $t,
            "completed, ",
            $t,
            "assigned_to, ",
            $t,
            "date_added, ",
            $t,
            "date_updated, ",
            $t,
            "created_by, ",
            $t,
            "updated_by"
        )
    };
}
pub(super) use task_columns;

static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    task_columns!(""),
    " FROM contact_tasks WHERE location_id = $1 AND contact_id = $2 ORDER BY due_date, id"
));
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    task_columns!(""),
    " FROM contact_tasks WHERE id = $1 AND location_id = $2 AND contact_id = $3"
));
static INSERT: Sql = Sql::new(
    "INSERT INTO contact_tasks (location_id, id, contact_id, title, body, due_date, completed,
         assigned_to, date_added, date_updated, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
);
static UPDATE: Sql = Sql::new(
    "UPDATE contact_tasks SET title = $4, body = $5, due_date = $6, completed = $7,
         assigned_to = $8, date_updated = $9, updated_by = $10
     WHERE id = $1 AND location_id = $2 AND contact_id = $3",
);
static DELETE: Sql =
    Sql::new("DELETE FROM contact_tasks WHERE id = $1 AND location_id = $2 AND contact_id = $3");

/// The task of a row that starts with `task_columns!`.
pub(super) fn task(row: &dyn Row) -> StoreResult<Task> {
    Ok(Task {
        id: id(row, 0)?,
        contact_id: id(row, 1)?,
        title: row.string(2)?,
        body: row.opt_string(3)?,
        due_date: ts(row, 4)?,
        completed: row.bool(5)?,
        assigned_to: opt_id(row, 6)?,
        date_added: ts(row, 7)?,
        date_updated: ts(row, 8)?,
        created_by: changed_by(row, 9)?,
        updated_by: changed_by(row, 10)?,
    })
}

#[async_trait]
impl<B: SqlBackend> TaskStore for B {
    async fn list_tasks(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Task>> {
        run!(self.read, [location, contact], |db| {
            db.rows(&LIST, params![&location, &contact], task).await
        })
    }

    async fn get_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        task_id: &TaskId,
    ) -> StoreResult<Option<Task>> {
        run!(self.lookup, [location, contact, task_id], |db| {
            db.opt(&GET, params![&task_id, &location, &contact], task)
                .await
        })
    }

    async fn insert_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        run!(self.write, [location, t], |db| {
            let (created_by, updated_by) = (encoded(&t.created_by), encoded(&t.updated_by));
            let p = params![
                &location,
                &t.id,
                &t.contact_id,
                &t.title,
                &t.body,
                t.due_date,
                t.completed,
                t.assigned_to.as_ref(),
                t.date_added,
                t.date_updated,
                &created_by,
                &updated_by
            ];
            db.execute(&INSERT, p).await.map(drop)
        })
    }

    async fn update_task(&self, location: &LocationId, t: &Task) -> StoreResult<()> {
        run!(self.write, [location, t], |db| {
            let updated_by = encoded(&t.updated_by);
            let p = params![
                &t.id,
                &location,
                &t.contact_id,
                &t.title,
                &t.body,
                t.due_date,
                t.completed,
                t.assigned_to.as_ref(),
                t.date_updated,
                &updated_by
            ];
            db.change(&UPDATE, p).await
        })
    }

    async fn delete_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        task_id: &TaskId,
    ) -> StoreResult<()> {
        run!(self.write, [location, contact, task_id], |db| {
            db.change(&DELETE, params![&task_id, &location, &contact])
                .await
        })
    }
}
