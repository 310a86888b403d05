//! The dashboard's location-wide summaries: usage per day over all integrations, the contacts
//! each changer changed last, open tasks due.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::Timestamp;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};

use super::contacts::contact;
use super::tasks::{task, task_columns};
use super::{Row, Sql, SqlBackend, changed_by, corrupt, id, opt_id, ts};
use crate::dashboard::{ChangedRecord, DashboardStore, RecordKind, TaskDue};
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

/// The newest notes, tasks and opportunities last changed by `$2` and the messages it sent or
/// recorded, merged: each branch stops at `$3` rows of its own `*_by_changer` / `*_by_sender`
/// index (migration 18) before the merge sorts at most four times `$3` rows.
static RECORDS: Sql = Sql::new(
    "SELECT r.kind, r.id, r.contact_id, r.conversation_id, r.label, r.at, r.created_by, c.data
     FROM (
         SELECT * FROM (SELECT 'note' AS kind, id, contact_id,
                 CAST(NULL AS TEXT) AS conversation_id, body AS label, date_added AS at,
                 created_by
             FROM contact_notes WHERE location_id = $1 AND updated_by = $2
             ORDER BY date_added DESC, id DESC LIMIT $3) AS notes
         UNION ALL
         SELECT * FROM (SELECT 'task', id, contact_id, NULL, title, date_updated, created_by
             FROM contact_tasks WHERE location_id = $1 AND updated_by = $2
             ORDER BY date_updated DESC, id DESC LIMIT $3) AS tasks
         UNION ALL
         SELECT * FROM (SELECT 'opportunity', id, contact_id, NULL, name, updated_at, created_by
             FROM opportunities WHERE location_id = $1 AND updated_by = $2
             ORDER BY updated_at DESC, id DESC LIMIT $3) AS opportunities
         UNION ALL
         SELECT * FROM (SELECT
                 CASE direction WHEN 'inbound' THEN 'inbound_message' ELSE 'message' END,
                 id, contact_id, conversation_id, body, date_added, sent_by
             FROM messages WHERE location_id = $1 AND sent_by = $2
             ORDER BY date_added DESC, id DESC LIMIT $3) AS messages
     ) AS r
     JOIN contacts c ON c.location_id = $1 AND c.id = r.contact_id
     ORDER BY r.at DESC, r.id DESC LIMIT $3",
);

fn changed_record(row: &dyn Row) -> StoreResult<ChangedRecord> {
    Ok(ChangedRecord {
        kind: RecordKind::parse(row.str(0)?).ok_or_else(|| corrupt("record kind"))?,
        id: row.string(1)?,
        contact_id: id(row, 2)?,
        conversation_id: opt_id(row, 3)?,
        label: row.string(4)?,
        at: ts(row, 5)?,
        created_by: changed_by(row, 6)?,
        contact: row.json::<ContactFields>(7, "contact data")?,
    })
}

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

    async fn records_last_changed_by(
        &self,
        location: &LocationId,
        by: &ChangedBy,
        limit: u32,
    ) -> StoreResult<Vec<ChangedRecord>> {
        let by = by.encode();
        run!(self.read, [location, by], |db| {
            let p = params![&location, &by, i64::from(limit)];
            db.rows(&RECORDS, p, changed_record).await
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
