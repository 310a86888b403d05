//! The dashboard's location-wide summaries: usage per day over all integrations, the contacts
//! each changer changed last, open tasks due.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::Timestamp;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};

use super::contacts::contact;
use super::tasks::{task, task_columns};
use super::{Row, Sql, SqlBackend};
use crate::dashboard::{DashboardStore, TaskDue};
use crate::{StoreResult, params, run};

/// The join is the tenant filter: usage rows carry only their integration.
static USAGE: Sql = Sql::new(
    "SELECT u.day, CAST(SUM(u.count) AS BIGINT) FROM integration_usage u
     JOIN integrations i ON i.id = u.integration_id
     WHERE i.location_id = $1 AND u.day >= $2
     GROUP BY u.day ORDER BY u.day",
);

/// Served by `contact_tasks_open_by_due` (migration 15): open tasks of a location by due date.
static TASKS_DUE: Sql = Sql::new(concat!(
    "SELECT ",
    task_columns!("t."),
    ", c.data FROM contact_tasks t
     JOIN contacts c ON c.location_id = t.location_id AND c.id = t.contact_id
     WHERE t.location_id = $1 AND t.completed = FALSE AND t.due_date < $2
     ORDER BY t.due_date, t.id LIMIT $3"
));

/// Served by `contacts_by_changer` (migration 15).
static LAST_CHANGED_BY: Sql = Sql::new(
    "SELECT id, location_id, data, date_added, date_updated, created_by, updated_by
     FROM contacts WHERE location_id = $1 AND updated_by = $2
     ORDER BY date_updated DESC, id DESC LIMIT $3",
);

fn task_due(row: &dyn Row) -> StoreResult<TaskDue> {
    Ok(TaskDue {
        task: task(row)?,
        contact: row.json::<ContactFields>(11, "contact data")?,
    })
}

#[async_trait]
impl<B: SqlBackend> DashboardStore for B {
    async fn location_usage(
        &self,
        location: &LocationId,
        from_day: i64,
    ) -> StoreResult<Vec<(i64, u64)>> {
        run!(self.read, [location], |db| {
            db.rows(&USAGE, params![&location, from_day], |row| {
                // Sums of non-negative counts.
                Ok((row.int(0)?, u64::try_from(row.int(1)?).unwrap_or(0)))
            })
            .await
        })
    }

    async fn contacts_last_changed_by(
        &self,
        location: &LocationId,
        by: &ChangedBy,
        limit: u32,
    ) -> StoreResult<Vec<Contact>> {
        let by = by.encode();
        run!(self.read, [location, by], |db| {
            db.rows(
                &LAST_CHANGED_BY,
                params![&location, &by, i64::from(limit)],
                contact,
            )
            .await
        })
    }

    async fn open_tasks_due(
        &self,
        location: &LocationId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<TaskDue>> {
        run!(self.read, [location], |db| {
            db.rows(
                &TASKS_DUE,
                params![&location, before, i64::from(limit)],
                task_due,
            )
            .await
        })
    }
}
