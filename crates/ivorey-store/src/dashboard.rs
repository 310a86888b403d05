//! What the dashboard summarises across a whole location: API requests per day, what each
//! integration changed, and open tasks.

use async_trait::async_trait;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::ids::ConversationId;
use ivorey_core::task::Task;
use ivorey_core::{ContactId, LocationId, Timestamp};

use crate::error::StoreResult;

/// The records beside contacts that carry attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Note,
    Task,
    Opportunity,
    /// An outbound message `by` sent.
    Message,
    /// An inbound message `by` recorded through the API (a reply it received elsewhere).
    InboundMessage,
}

impl RecordKind {
    /// The kind's name as the store's queries write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Note => "note",
            RecordKind::Task => "task",
            RecordKind::Opportunity => "opportunity",
            RecordKind::Message => "message",
            RecordKind::InboundMessage => "inbound_message",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        [
            RecordKind::Note,
            RecordKind::Task,
            RecordKind::Opportunity,
            RecordKind::Message,
            RecordKind::InboundMessage,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// A note, task, opportunity or message that one changer changed last (or sent), with what a
/// feed line needs: its words, its contact and when.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedRecord {
    pub kind: RecordKind,
    pub id: String,
    pub contact_id: ContactId,
    /// A message's conversation (`None` for the other kinds).
    pub conversation_id: Option<ConversationId>,
    /// A note's or message's text, a task's title, an opportunity's name.
    pub label: String,
    /// When it was changed last (a note: written; a message: sent).
    pub at: Timestamp,
    pub created_by: Option<ChangedBy>,
    pub contact: ContactFields,
}

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
    /// The location's notes, tasks and opportunities whose last change was `by`'s and the
    /// messages `by` sent or recorded, most recent first, at most `limit` in all.
    async fn records_last_changed_by(
        &self,
        location: &LocationId,
        by: &ChangedBy,
        limit: u32,
    ) -> StoreResult<Vec<ChangedRecord>>;
    /// Open tasks due before `before`, soonest first, at most `limit`.
    async fn open_tasks_due(
        &self,
        location: &LocationId,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<TaskDue>>;
}
