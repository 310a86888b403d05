//! Tasks on contacts. The database keeps a task in its contact's location and deletes it with
//! the contact; a task of another location, or of another contact, is not found.

use async_trait::async_trait;
use ivorey_core::ids::TaskId;
use ivorey_core::task::Task;
use ivorey_core::{ContactId, LocationId};

use crate::error::StoreResult;

#[async_trait]
pub trait TaskStore {
    /// The contact's tasks by due date, then id.
    async fn list_tasks(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Task>>;
    async fn get_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<Option<Task>>;
    /// `NotFound` if its contact is not in the location.
    async fn insert_task(&self, location: &LocationId, task: &Task) -> StoreResult<()>;
    /// Saves every field but id, contact and `date_added`; `NotFound` if absent in the
    /// location and contact.
    async fn update_task(&self, location: &LocationId, task: &Task) -> StoreResult<()>;
    /// `NotFound` if absent in the location and contact.
    async fn delete_task(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &TaskId,
    ) -> StoreResult<()>;
}
