//! What the dashboard summarises across a whole location: API requests per day, what each
//! integration changed, and open tasks.

use async_trait::async_trait;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::task::Task;
use ivorey_core::{LocationId, Timestamp};

use crate::error::StoreResult;

/// An open task with its contact's fields, for lists outside the contact's page.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDue {
    pub task: Task,
    pub contact: ContactFields,
}

#[async_trait]
pub trait DashboardStore {
    /// Requests per UTC day (days since the epoch) by all the location's integrations from
    /// `from_day` on, oldest first; days without requests are absent.
    async fn location_usage(
        &self,
        location: &LocationId,
        from_day: i64,
    ) -> StoreResult<Vec<(i64, u64)>>;
    /// The location's contacts whose last change was `by`'s, most recent first, at most
    /// `limit`: what an integration (or user, or form) did.
    async fn contacts_last_changed_by(
        &self,
        location: &LocationId,
        by: &ChangedBy,
        limit: u32,
    ) -> StoreResult<Vec<Contact>>;
    /// Open tasks due before `before`, soonest first, at most `limit`.
    async fn open_tasks_due(
        &self,
        location: &LocationId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<TaskDue>>;
}
