//! Messages and the outbox in SQLite, and the `ConversationStore` impl (conversation methods
//! live in `conversations.rs`, delivery settings in `messaging.rs`). One process writes at a
//! time, so a claim needs no row locks: the IMMEDIATE transaction serialises claimers.

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
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::conversations::{by_contact, insert, write_err};
use crate::locations::conversion_err;
use crate::{SqliteStore, db_err};

const COLUMNS: &str = "id, location_id, conversation_id, contact_id, message_type, direction, \
     status, body, content, source, error, attempts, date_added, date_updated";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<Message> {
    let text = |i: usize| row.get::<_, String>(i);
    let bad = |i: usize| conversion_err(i, ivorey_core::ids::InvalidId);
    let content: String = row.get(8)?;
    Ok(Message {
        id: MessageId::parse(&text(0)?).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&text(1)?).map_err(|e| conversion_err(1, e))?,
        conversation_id: ConversationId::parse(&text(2)?).map_err(|e| conversion_err(2, e))?,
        contact_id: ContactId::parse(&text(3)?).map_err(|e| conversion_err(3, e))?,
        channel: Channel::from_message_type(&text(4)?).ok_or_else(|| bad(4))?,
        direction: Direction::parse(&text(5)?).ok_or_else(|| bad(5))?,
        status: MessageStatus::parse(&text(6)?).ok_or_else(|| bad(6))?,
        body: text(7)?,
        content: serde_json::from_str::<MessageContent>(&content)
            .map_err(|e| conversion_err(8, e))?,
        source: text(9)?,
        error: row.get(10)?,
        attempts: row.get(11)?,
        date_added: Timestamp(row.get(12)?),
        date_updated: Timestamp(row.get(13)?),
    })
}

fn content_json(content: &MessageContent) -> StoreResult<String> {
    serde_json::to_string(content).map_err(|e| StoreError::Other(e.to_string()))
}

#[async_trait]
impl ConversationStore for SqliteStore {
    async fn insert_conversation(&self, c: &Conversation) -> StoreResult<()> {
        self.sqlite_insert_conversation(c).await
    }

    async fn get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        self.sqlite_get_conversation(location, id).await
    }

    async fn conversation_of_contact(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Option<Conversation>> {
        self.sqlite_conversation_of_contact(location, contact).await
    }

    async fn update_conversation(&self, c: &Conversation) -> StoreResult<()> {
        self.sqlite_update_conversation(c).await
    }

    async fn delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()> {
        self.sqlite_delete_conversation(location, id).await
    }

    async fn search_conversations(
        &self,
        location: &LocationId,
        query: &ConversationQuery,
    ) -> StoreResult<ConversationPage> {
        self.sqlite_search_conversations(location, query).await
    }

    async fn add_message(&self, m: &Message, fresh: &Conversation) -> StoreResult<Message> {
        let (mut m, fresh) = (m.clone(), fresh.clone());
        let content = content_json(&m.content)?;
        self.call(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let conversation =
                match by_contact(&tx, &m.location_id, &m.contact_id).map_err(db_err)? {
                    Some(existing) => existing,
                    None => {
                        insert(&tx, &fresh).map_err(write_err)?;
                        fresh
                    }
                };
            m.conversation_id = conversation.id.clone();
            tx.prepare_cached(&format!(
                "INSERT INTO messages ({COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ))
            .map_err(db_err)?
            .execute(params![
                m.id.as_str(),
                m.location_id.as_str(),
                m.conversation_id.as_str(),
                m.contact_id.as_str(),
                m.channel.message_type(),
                m.direction.as_str(),
                m.status.as_str(),
                m.body,
                content,
                m.source,
                m.error,
                m.attempts,
                m.date_added.0,
                m.date_updated.0
            ])
            .map_err(write_err)?;
            let unread = u32::from(m.direction == Direction::Inbound);
            tx.execute(
                "UPDATE conversations SET last_message_body = ?2, last_message_type = ?3,
                     last_message_direction = ?4, last_activity_at = ?5, has_messages = 1,
                     unread_count = unread_count + ?6, date_updated = ?5
                 WHERE id = ?1",
                params![
                    m.conversation_id.as_str(),
                    m.preview(),
                    m.channel.message_type(),
                    m.direction.as_str(),
                    m.date_added.0,
                    unread
                ],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(m)
        })
        .await
    }

    async fn get_message(
        &self,
        location: &LocationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages WHERE id = ?1 AND location_id = ?2"
            ))
            .map_err(db_err)?
            .query_row(params![id.as_str(), location.as_str()], message_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn list_messages(
        &self,
        location: &LocationId,
        conversation: &ConversationId,
        q: &MessageQuery,
    ) -> StoreResult<Vec<Message>> {
        let (location, conversation, q) = (location.clone(), conversation.clone(), q.clone());
        self.read(move |conn| {
            let types = serde_json::to_string(&q.types).unwrap_or_else(|_| "[]".into());
            let before = q.before.as_ref().map(MessageId::as_str);
            let sql = format!(
                "SELECT {COLUMNS} FROM messages m
                 WHERE location_id = ?1 AND conversation_id = ?2
                   AND (?3 IS NULL OR (date_added, id) < (
                        SELECT date_added, id FROM messages
                        WHERE id = ?3 AND location_id = ?1 AND conversation_id = ?2))
                   AND (?4 = '[]' OR message_type IN (SELECT value FROM json_each(?4)))
                 ORDER BY date_added DESC, id DESC LIMIT ?5"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        conversation.as_str(),
                        before,
                        types,
                        q.limit
                    ],
                    message_from_row,
                )
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn set_message_status(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Message> {
        let (location, id, error) = (location.clone(), id.clone(), error.map(str::to_owned));
        self.call(move |conn| {
            conn.prepare_cached(&format!(
                "UPDATE messages SET status = ?3, error = ?4, lease_until = NULL, date_updated = ?5
                 WHERE id = ?1 AND location_id = ?2 RETURNING {COLUMNS}"
            ))
            .map_err(db_err)?
            .query_row(
                params![
                    id.as_str(),
                    location.as_str(),
                    status.as_str(),
                    error,
                    now.0
                ],
                message_from_row,
            )
            .optional()
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    async fn claim_pending_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.call(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let claimed = {
                let mut stmt = tx
                    .prepare_cached(&format!(
                        "UPDATE messages SET lease_until = ?2
                         WHERE id IN (SELECT id FROM messages
                             WHERE status = 'pending' AND direction = 'outbound'
                               AND (lease_until IS NULL OR lease_until < ?1)
                             ORDER BY date_added, id LIMIT ?3)
                         RETURNING {COLUMNS}"
                    ))
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map(params![now.0, lease_until.0, limit], message_from_row)
                    .map_err(db_err)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?
            };
            tx.commit().map_err(db_err)?;
            Ok(claimed)
        })
        .await
    }

    async fn finish_delivery(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        attempts: u32,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (location, id, error) = (location.clone(), id.clone(), error.map(str::to_owned));
        self.call(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE messages SET status = ?3, error = ?4, attempts = ?5,
                         lease_until = NULL, date_updated = ?6
                     WHERE id = ?1 AND location_id = ?2 AND status = 'pending'",
                    params![
                        id.as_str(),
                        location.as_str(),
                        status.as_str(),
                        error,
                        attempts,
                        now.0
                    ],
                )
                .map_err(db_err)?;
            Ok(changed > 0)
        })
        .await
    }

    async fn messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>> {
        self.sqlite_messaging_settings(location).await
    }

    async fn save_messaging_settings(&self, settings: &MessagingSettings) -> StoreResult<()> {
        self.sqlite_save_messaging_settings(settings).await
    }
}
