//! Messages and the outbox, for the `ConversationStore` impl in `conversations.rs`.
//!
//! Several PostgreSQL nodes may drain the outbox at once: a claim locks its rows with
//! `FOR UPDATE SKIP LOCKED` and leases them, so no two workers take the same message. On SQLite
//! one process writes at a time and the claim's `BEGIN IMMEDIATE` transaction serialises
//! claimers, so it needs no row locks (and has no such clause).

use ivorey_core::conversation::{Channel, Conversation, Direction, Message, MessageStatus};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::{LocationId, Timestamp};

use super::{Dialect, Param, Row, Sql, SqlBackend, changed_by, corrupt, encoded, id, ts};
use crate::{MessageQuery, StoreError, StoreResult, params, run};

/// The columns `message` reads.
macro_rules! columns {
    () => {
        "id, location_id, conversation_id, contact_id, message_type, direction, status, body, \
         content, source, error, attempts, date_added, date_updated, sent_by"
    };
}

/// The id of the contact's conversation (`$1` location, `$2` contact).
static CONVERSATION_OF: Sql =
    Sql::new("SELECT id FROM conversations WHERE location_id = $1 AND contact_id = $2");
/// A first message's conversation. Concurrent first messages to one contact (PostgreSQL): the
/// unique key lets one insert win; the other's does nothing and it reads the winner's.
static START_CONVERSATION: Sql = Sql::new(
    "INSERT INTO conversations (id, location_id, contact_id, unread_count, starred,
         last_activity_at, has_messages, date_added, date_updated)
     VALUES ($1, $2, $3, 0, FALSE, $4, FALSE, $4, $4)
     ON CONFLICT (location_id, contact_id) DO NOTHING",
);
static INSERT: Sql = Sql::new(concat!(
    "INSERT INTO messages (",
    columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
));
static LAST_MESSAGE: Sql = Sql::new(
    "UPDATE conversations SET last_message_body = $2, last_message_type = $3,
         last_message_direction = $4, last_activity_at = $5, has_messages = TRUE,
         unread_count = unread_count + $6, date_updated = $5
     WHERE id = $1",
);
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM messages WHERE id = $1 AND location_id = $2"
));

/// A page of a conversation's messages, `$4` the types to keep (none: all). The list is a JSON
/// array on SQLite, a `text[]` on PostgreSQL.
macro_rules! list {
    ($types:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            " FROM messages
             WHERE location_id = $1 AND conversation_id = $2
               AND (CAST($3 AS TEXT) IS NULL OR (date_added, id) < (
                    SELECT date_added, id FROM messages
                    WHERE id = $3 AND location_id = $1 AND conversation_id = $2))
               AND ",
            $types,
            "
             ORDER BY date_added DESC, id DESC LIMIT $5"
        )
    };
}
static LIST_SQLITE: Sql = Sql::new(list!(
    "($4 = '[]' OR message_type IN (SELECT value FROM json_each($4)))"
));
static LIST_POSTGRES: Sql = Sql::new(list!(
    "(cardinality($4::text[]) = 0 OR message_type = ANY($4))"
));

static SET_STATUS: Sql = Sql::new(concat!(
    "UPDATE messages SET status = $3, error = $4, lease_until = NULL, date_updated = $5
     WHERE id = $1 AND location_id = $2 RETURNING ",
    columns!()
));

/// Leases up to `$3` pending outbound messages, oldest first, whose lease is absent or ended
/// before `$1`, until `$2`. `$lock` is PostgreSQL's row lock (SQLite has none, see above).
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE messages SET lease_until = $2
             WHERE id IN (SELECT id FROM messages
                 WHERE status = 'pending' AND direction = 'outbound'
                   AND (lease_until IS NULL OR lease_until < $1)
                 ORDER BY date_added, id LIMIT $3",
            $lock,
            ")
             RETURNING ",
            columns!()
        )
    };
}
static CLAIM_SQLITE: Sql = Sql::new(claim!(""));
static CLAIM_POSTGRES: Sql = Sql::new(claim!(" FOR UPDATE SKIP LOCKED"));

static FINISH: Sql = Sql::new(
    "UPDATE messages SET status = $3, error = $4, attempts = $5, lease_until = NULL,
         date_updated = $6
     WHERE id = $1 AND location_id = $2 AND status = 'pending'",
);

fn message(row: &dyn Row) -> StoreResult<Message> {
    Ok(Message {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        conversation_id: id(row, 2)?,
        contact_id: id(row, 3)?,
        channel: Channel::from_message_type(row.str(4)?).ok_or_else(|| corrupt("message type"))?,
        direction: Direction::parse(row.str(5)?).ok_or_else(|| corrupt("direction"))?,
        status: MessageStatus::parse(row.str(6)?).ok_or_else(|| corrupt("status"))?,
        body: row.string(7)?,
        content: row.json(8, "message content")?,
        source: row.string(9)?,
        error: row.opt_string(10)?,
        attempts: u32::try_from(row.int32(11)?).unwrap_or(0),
        date_added: ts(row, 12)?,
        date_updated: ts(row, 13)?,
        sent_by: changed_by(row, 14)?,
    })
}

fn conversation_id(row: &dyn Row) -> StoreResult<ConversationId> {
    id(row, 0)
}

fn attempts(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(super) async fn add<B: SqlBackend>(
    store: &B,
    m: &Message,
    fresh: &Conversation,
) -> StoreResult<Message> {
    let content =
        serde_json::to_string(&m.content).map_err(|e| StoreError::Other(e.to_string()))?;
    let mut m = m.clone();
    let sent_by = encoded(&m.sent_by);
    run!(store.write, [fresh, content, sent_by], |db| {
        let contact = params![&m.location_id, &m.contact_id];
        // The contact's conversation, or the fresh one when it has none (one statement more
        // only for a first message).
        m.conversation_id = match db.opt(&CONVERSATION_OF, contact, conversation_id).await? {
            Some(existing) => existing,
            None => {
                let p = params![&fresh.id, &m.location_id, &m.contact_id, fresh.date_added];
                if db.execute(&START_CONVERSATION, p).await? > 0 {
                    fresh.id
                } else {
                    db.opt(&CONVERSATION_OF, contact, conversation_id)
                        .await?
                        .ok_or(StoreError::NotFound)?
                }
            }
        };
        let p = params![
            &m.id,
            &m.location_id,
            &m.conversation_id,
            &m.contact_id,
            m.channel.message_type(),
            m.direction.as_str(),
            m.status.as_str(),
            &m.body,
            &content,
            &m.source,
            m.error.as_ref(),
            attempts(m.attempts),
            m.date_added,
            m.date_updated,
            &sent_by
        ];
        db.execute(&INSERT, p).await?;
        let preview = m.preview();
        let p = params![
            &m.conversation_id,
            &preview,
            m.channel.message_type(),
            m.direction.as_str(),
            m.date_added,
            i32::from(m.direction == Direction::Inbound)
        ];
        db.execute(&LAST_MESSAGE, p).await?;
        Ok(m)
    })
}

pub(super) async fn get<B: SqlBackend>(
    store: &B,
    location: &LocationId,
    id: &MessageId,
) -> StoreResult<Option<Message>> {
    run!(store.lookup, [location, id], |db| {
        db.opt(&GET, params![&id, &location], message).await
    })
}

pub(super) async fn list<B: SqlBackend>(
    store: &B,
    location: &LocationId,
    conversation: &ConversationId,
    q: &MessageQuery,
) -> StoreResult<Vec<Message>> {
    run!(store.read, [location, conversation, q], |db| {
        let json;
        let (sql, types) = match db.dialect() {
            Dialect::Sqlite => {
                json = serde_json::to_string(&q.types).unwrap_or_else(|_| "[]".into());
                (&LIST_SQLITE, Param::from(&json))
            }
            Dialect::Postgres => (&LIST_POSTGRES, Param::TextArray(&q.types)),
        };
        let p = &[
            Param::from(&location),
            Param::from(&conversation),
            Param::from(q.before.as_ref()),
            types,
            Param::from(i64::from(q.limit)),
        ][..];
        db.rows(sql, p, message).await
    })
}

pub(super) async fn set_status<B: SqlBackend>(
    store: &B,
    location: &LocationId,
    id: &MessageId,
    status: MessageStatus,
    error: Option<&str>,
    now: Timestamp,
) -> StoreResult<Message> {
    let error = error.map(str::to_owned);
    run!(store.write, [location, id, error], |db| {
        let p = params![&id, &location, status.as_str(), error.as_ref(), now];
        db.opt(&SET_STATUS, p, message)
            .await?
            .ok_or(StoreError::NotFound)
    })
}

pub(super) async fn claim<B: SqlBackend>(
    store: &B,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    run!(store.write, [], |db| {
        let sql = match db.dialect() {
            Dialect::Sqlite => &CLAIM_SQLITE,
            Dialect::Postgres => &CLAIM_POSTGRES,
        };
        let p = params![now, lease_until, i64::from(limit)];
        db.rows(sql, p, message).await
    })
}

pub(super) async fn finish<B: SqlBackend>(
    store: &B,
    location: &LocationId,
    id: &MessageId,
    status: MessageStatus,
    error: Option<&str>,
    tries: u32,
    now: Timestamp,
) -> StoreResult<bool> {
    let error = error.map(str::to_owned);
    run!(store.write, [location, id, error], |db| {
        let p = params![
            &id,
            &location,
            status.as_str(),
            error.as_ref(),
            attempts(tries),
            now
        ];
        Ok(db.execute(&FINISH, p).await? > 0)
    })
}
