//! Storage of conversations, their messages (with the outbox the delivery worker drains) and
//! each location's delivery settings.

use async_trait::async_trait;
use ivorey_core::contact::ContactFields;
use ivorey_core::conversation::{Channel, Conversation, Message, MessageStatus};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::messaging::MessagingSettings;
use ivorey_core::{ContactId, LocationId, Timestamp};

use crate::error::StoreResult;

/// Which conversations a search returns, newest activity first unless `ascending`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationQuery {
    pub contact_id: Option<ContactId>,
    /// Lowercased substring of the contact's name, email or phone, or of the last message.
    pub query: Option<String>,
    pub unread: Option<bool>,
    pub starred: Option<bool>,
    pub ascending: bool,
    /// Keyset cursor: the last row's `last_activity_at`, and its id to break ties (without an
    /// id, rows with exactly that time are skipped too).
    pub after: Option<(Timestamp, Option<ConversationId>)>,
    pub limit: u32,
}

/// A conversation with its contact's fields, as searches list them.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub contact: ContactFields,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationView>,
    /// How many match the filters, ignoring the cursor and limit.
    pub total: u64,
}

/// A page of the inbox: unread conversations first, then the rest, each part by last message
/// (newest first, then id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxQuery {
    /// Only conversations whose last message went by this channel.
    pub channel: Option<Channel>,
    /// Keyset cursor: the previous page's last row.
    pub after: Option<InboxCursor>,
    pub limit: u32,
}

/// Where an inbox page ends: the last row's unread state, last activity and id.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxCursor {
    pub unread: bool,
    pub at: Timestamp,
    pub id: ConversationId,
}

impl InboxCursor {
    /// The cursor just after `c`.
    pub fn after(c: &Conversation) -> InboxCursor {
        InboxCursor {
            unread: c.unread_count > 0,
            at: c.last_activity_at,
            id: c.id.clone(),
        }
    }
}

/// A conversation's messages, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageQuery {
    /// Only messages older than this one (the previous page's last).
    pub before: Option<MessageId>,
    /// Only these `messageType` values, when not empty.
    pub types: Vec<String>,
    pub limit: u32,
}

/// Conversations and messages. The database keeps a conversation with its contact's location
/// (and deletes it with the contact), a message in its conversation's location, and at most
/// one conversation per contact.
#[async_trait]
pub trait ConversationStore {
    /// `NotFound` if the contact is not in the location; `Conflict` if it has a conversation.
    async fn insert_conversation(&self, conversation: &Conversation) -> StoreResult<()>;
    async fn get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>>;
    async fn conversation_of_contact(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Option<Conversation>>;
    /// Saves `unread_count`, `starred` and `date_updated`; `NotFound` if absent.
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()>;
    /// Deletes it with its messages; `NotFound` if absent.
    async fn delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()>;
    async fn search_conversations(
        &self,
        location: &LocationId,
        query: &ConversationQuery,
    ) -> StoreResult<ConversationPage>;
    /// A page of the inbox (index seeks only: at most two, whatever the page's depth).
    async fn inbox_page(
        &self,
        location: &LocationId,
        query: &InboxQuery,
    ) -> StoreResult<Vec<ConversationView>>;

    /// In one transaction: creates `conversation` if the message's contact has none, stores the
    /// message in the contact's conversation (its `conversation_id` is replaced by that one's)
    /// and makes it the conversation's last message (an inbound one also counts as unread).
    /// Returns the message as stored. `NotFound` if the contact is not in the location.
    async fn add_message(
        &self,
        message: &Message,
        conversation: &Conversation,
    ) -> StoreResult<Message>;
    async fn get_message(
        &self,
        location: &LocationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>>;
    /// A page of the conversation's messages, newest first (`date_added`, then id, both
    /// descending). A `before` id that is not in the conversation gives an empty page.
    async fn list_messages(
        &self,
        location: &LocationId,
        conversation: &ConversationId,
        query: &MessageQuery,
    ) -> StoreResult<Vec<Message>>;
    /// Sets a message's status (a provider's callback), clearing its lease; `NotFound` if absent.
    async fn set_message_status(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Message>;

    /// The delivery worker's claim, across all locations: up to `limit` pending outbound
    /// messages, oldest first, whose lease is absent or ended before `now`, each leased until
    /// `lease_until`. Two workers never claim one message while its lease lasts (PostgreSQL
    /// skips rows another transaction has locked).
    async fn claim_pending_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Records a delivery outcome and ends the lease. Only a message still `pending` changes
    /// (a provider callback may have moved it on); returns whether it did.
    async fn finish_delivery(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        attempts: u32,
        now: Timestamp,
    ) -> StoreResult<bool>;

    async fn messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>>;
    /// Replaces the location's delivery settings; `NotFound` if the location does not exist.
    async fn save_messaging_settings(&self, settings: &MessagingSettings) -> StoreResult<()>;
}
