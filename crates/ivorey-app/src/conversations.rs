//! Changes to a conversation that the web app makes as the public API's
//! `PUT /conversations/{id}` does: marking it read.

use ivorey_core::conversation::Conversation;
use ivorey_core::ids::ConversationId;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

const NOT_FOUND: AppError = AppError::NotFound("Conversation not found");

/// Sets the conversation's unread count to 0 (the same write as `unreadCount: 0` through
/// the API). Another location's conversation is not found.
pub async fn mark_read(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &ConversationId,
) -> AppResult<Conversation> {
    let mut conversation = store
        .get_conversation(location, id)
        .await?
        .ok_or(NOT_FOUND)?;
    conversation.unread_count = 0;
    conversation.date_updated = now;
    store
        .update_conversation(&conversation)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(conversation)
}
