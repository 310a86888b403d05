//! Messages, the outbox and the `ConversationStore` impl in PostgreSQL (conversation methods
//! live in `conversations.rs`, delivery settings in `messaging.rs`). Several server nodes may
//! drain the outbox at once: a claim locks its rows with `FOR UPDATE SKIP LOCKED` and leases
//! them, so no two workers take the same message.

use async_trait::async_trait;
use ivorey_core::conversation::{
    Channel, Conversation, Direction, Message, MessageContent, MessageStatus,
};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::messaging::MessagingSettings;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{
    ConversationPage, ConversationQuery, ConversationStore, MessageQuery, StoreError, StoreResult,
};
use tokio_postgres::Row;

use crate::PgStore;
use crate::conversations::{by_contact, insert};
use crate::error::{corrupt, db_err};
use crate::row::{get, id, ts};

const COLUMNS: &str = "id, location_id, conversation_id, contact_id, message_type, direction, \
     status, body, content, source, error, attempts, date_added, date_updated";

fn from_row(row: &Row) -> StoreResult<Message> {
    let text = |c: &str| get::<String>(row, c);
    Ok(Message {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        conversation_id: id(row, "conversation_id")?,
        contact_id: id(row, "contact_id")?,
        channel: Channel::from_message_type(&text("message_type")?)
            .ok_or_else(|| corrupt("message type"))?,
        direction: Direction::parse(&text("direction")?).ok_or_else(|| corrupt("direction"))?,
        status: MessageStatus::parse(&text("status")?).ok_or_else(|| corrupt("status"))?,
        body: text("body")?,
        content: serde_json::from_str::<MessageContent>(&text("content")?)
            .map_err(|_| corrupt("message content"))?,
        source: text("source")?,
        error: get(row, "error")?,
        attempts: u32::try_from(get::<i32>(row, "attempts")?).unwrap_or(0),
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

fn attempts(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl ConversationStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn insert_conversation(&self, c: &Conversation) -> StoreResult<()> {
        insert(&self.client().await?, c).await
    }

    #[tracing::instrument(skip_all)]
    async fn get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        self.pg_get_conversation(location, id).await
    }

    #[tracing::instrument(skip_all)]
    async fn conversation_of_contact(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Option<Conversation>> {
        by_contact(&self.client().await?, location, contact).await
    }

    #[tracing::instrument(skip_all)]
    async fn update_conversation(&self, c: &Conversation) -> StoreResult<()> {
        self.pg_update_conversation(c).await
    }

    #[tracing::instrument(skip_all)]
    async fn delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()> {
        self.pg_delete_conversation(location, id).await
    }

    #[tracing::instrument(skip_all)]
    async fn search_conversations(
        &self,
        location: &LocationId,
        query: &ConversationQuery,
    ) -> StoreResult<ConversationPage> {
        self.pg_search_conversations(location, query).await
    }

    #[tracing::instrument(skip_all)]
    async fn add_message(&self, m: &Message, fresh: &Conversation) -> StoreResult<Message> {
        let mut m = m.clone();
        let content =
            serde_json::to_string(&m.content).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        // Concurrent first messages to one contact: the unique key lets one insert win; the
        // other's insert does nothing and it reads the winner's conversation.
        tx.execute(
            "INSERT INTO conversations (id, location_id, contact_id, unread_count, starred, \
             last_activity_at, has_messages, date_added, date_updated) \
             VALUES ($1, $2, $3, 0, FALSE, $4, FALSE, $4, $4) \
             ON CONFLICT (location_id, contact_id) DO NOTHING",
            &[
                &fresh.id.as_str(),
                &m.location_id.as_str(),
                &m.contact_id.as_str(),
                &fresh.date_added.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
        let conversation = by_contact(&tx, &m.location_id, &m.contact_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        m.conversation_id = conversation.id;
        tx.execute(
            &format!(
                "INSERT INTO messages ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                &m.id.as_str(),
                &m.location_id.as_str(),
                &m.conversation_id.as_str(),
                &m.contact_id.as_str(),
                &m.channel.message_type(),
                &m.direction.as_str(),
                &m.status.as_str(),
                &m.body,
                &content,
                &m.source,
                &m.error,
                &attempts(m.attempts),
                &m.date_added.millis(),
                &m.date_updated.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
        let unread = i32::from(m.direction == Direction::Inbound);
        tx.execute(
            "UPDATE conversations SET last_message_body = $2, last_message_type = $3, \
             last_message_direction = $4, last_activity_at = $5, has_messages = TRUE, \
             unread_count = unread_count + $6, date_updated = $5 WHERE id = $1",
            &[
                &m.conversation_id.as_str(),
                &m.preview(),
                &m.channel.message_type(),
                &m.direction.as_str(),
                &m.date_added.millis(),
                &unread,
            ],
        )
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(m)
    }

    #[tracing::instrument(skip_all)]
    async fn get_message(
        &self,
        location: &LocationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        let client = self.client().await?;
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn list_messages(
        &self,
        location: &LocationId,
        conversation: &ConversationId,
        q: &MessageQuery,
    ) -> StoreResult<Vec<Message>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM messages \
             WHERE location_id = $1 AND conversation_id = $2 \
               AND ($3::text IS NULL OR (date_added, id) < ( \
                    SELECT date_added, id FROM messages \
                    WHERE id = $3 AND location_id = $1 AND conversation_id = $2)) \
               AND (cardinality($4::text[]) = 0 OR message_type = ANY($4)) \
             ORDER BY date_added DESC, id DESC LIMIT $5"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &location.as_str(),
                    &conversation.as_str(),
                    &q.before.as_ref().map(MessageId::as_str),
                    &q.types,
                    &i64::from(q.limit),
                ],
            )
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn set_message_status(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Message> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE messages SET status = $3, error = $4, lease_until = NULL, date_updated = $5 \
             WHERE id = $1 AND location_id = $2 RETURNING {COLUMNS}"
        );
        let row = client
            .query_opt(
                &sql,
                &[
                    &id.as_str(),
                    &location.as_str(),
                    &status.as_str(),
                    &error,
                    &now.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(skip_all)]
    async fn claim_pending_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE messages SET lease_until = $2 WHERE id IN ( \
                 SELECT id FROM messages \
                 WHERE status = 'pending' AND direction = 'outbound' \
                   AND (lease_until IS NULL OR lease_until < $1) \
                 ORDER BY date_added, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING {COLUMNS}"
        );
        let rows = client
            .query(
                &sql,
                &[&now.millis(), &lease_until.millis(), &i64::from(limit)],
            )
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn finish_delivery(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        tries: u32,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE messages SET status = $3, error = $4, attempts = $5, lease_until = NULL, \
                 date_updated = $6 WHERE id = $1 AND location_id = $2 AND status = 'pending'",
                &[
                    &id.as_str(),
                    &location.as_str(),
                    &status.as_str(),
                    &error,
                    &attempts(tries),
                    &now.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(changed > 0)
    }

    #[tracing::instrument(skip_all)]
    async fn messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>> {
        self.pg_messaging_settings(location).await
    }

    #[tracing::instrument(skip_all)]
    async fn save_messaging_settings(&self, settings: &MessagingSettings) -> StoreResult<()> {
        self.pg_save_messaging_settings(settings).await
    }
}
