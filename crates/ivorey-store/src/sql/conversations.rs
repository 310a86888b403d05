//! Conversations, and the `ConversationStore` impl (messages and the outbox live in
//! `messages.rs`, delivery settings in `messaging.rs`). The foreign keys of migration 5 keep a
//! conversation with its contact's location; the search joins the contact for its name, email
//! and phone.

use async_trait::async_trait;
use ivorey_core::conversation::{Channel, Conversation, Direction, Message, MessageStatus};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::messaging::MessagingSettings;
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::{Param, Row, Sql, SqlBackend, id, ts};
use super::{inbox, messages, messaging};
use crate::{
    ConversationPage, ConversationQuery, ConversationStore, ConversationView, InboxQuery,
    MessageQuery, StoreError, StoreResult, contains_pattern, params, run,
};

/// The columns `conversation` reads, of `conversations c`.
macro_rules! columns {
    () => {
        "c.id, c.location_id, c.contact_id, c.unread_count, c.starred, c.last_message_body, \
         c.last_message_type, c.last_message_direction, c.last_activity_at, c.has_messages, \
         c.date_added, c.date_updated"
    };
}

static INSERT: Sql = Sql::new(
    "INSERT INTO conversations (id, location_id, contact_id, unread_count, starred,
         last_activity_at, has_messages, date_added, date_updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
);
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM conversations c WHERE c.id = $1 AND c.location_id = $2"
));
pub(super) static BY_CONTACT: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM conversations c WHERE c.location_id = $1 AND c.contact_id = $2"
));
static UPDATE: Sql = Sql::new(
    "UPDATE conversations SET unread_count = $3, starred = $4, date_updated = $5
     WHERE id = $1 AND location_id = $2",
);
static DELETE: Sql = Sql::new("DELETE FROM conversations WHERE id = $1 AND location_id = $2");

/// The search's joins and filters: `$1` location, `$2` contact, `$3` pattern, `$4` unread,
/// `$5` starred. The casts give PostgreSQL the type of a parameter only tested for NULL.
macro_rules! search {
    () => {
        "FROM conversations c
         JOIN contacts k ON k.location_id = c.location_id AND k.id = c.contact_id
         WHERE c.location_id = $1
           AND (CAST($2 AS TEXT) IS NULL OR c.contact_id = $2)
           AND (CAST($3 AS TEXT) IS NULL OR k.search_text LIKE $3 ESCAPE '\\'
                OR lower(coalesce(c.last_message_body, '')) LIKE $3 ESCAPE '\\')
           AND (CAST($4 AS BOOLEAN) IS NULL OR (c.unread_count > 0) = $4)
           AND (CAST($5 AS BOOLEAN) IS NULL OR c.starred = $5)"
    };
}

/// A page after the cursor (`$6` time, `$7` id), `$8` rows.
macro_rules! page {
    ($cmp:literal, $order:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            ", k.data ",
            search!(),
            "
           AND (CAST($6 AS BIGINT) IS NULL OR c.last_activity_at ",
            $cmp,
            " $6
                OR (CAST($7 AS TEXT) IS NOT NULL AND c.last_activity_at = $6 AND c.id ",
            $cmp,
            " $7))
         ORDER BY c.last_activity_at ",
            $order,
            ", c.id ",
            $order,
            " LIMIT $8"
        )
    };
}

static COUNT: Sql = Sql::new(concat!("SELECT count(*) ", search!()));
static PAGE_ASC: Sql = Sql::new(page!(">", "ASC"));
static PAGE_DESC: Sql = Sql::new(page!("<", "DESC"));

pub(super) fn conversation(row: &dyn Row) -> StoreResult<Conversation> {
    Ok(Conversation {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        contact_id: id(row, 2)?,
        unread_count: u32::try_from(row.int32(3)?).unwrap_or(0),
        starred: row.bool(4)?,
        last_message_body: row.opt_string(5)?,
        last_message_type: row.opt_str(6)?.and_then(Channel::from_message_type),
        last_message_direction: row.opt_str(7)?.and_then(Direction::parse),
        last_activity_at: ts(row, 8)?,
        has_messages: row.bool(9)?,
        date_added: ts(row, 10)?,
        date_updated: ts(row, 11)?,
    })
}

fn view(row: &dyn Row) -> StoreResult<ConversationView> {
    Ok(ConversationView {
        conversation: conversation(row)?,
        contact: row.json(12, "contact data")?,
    })
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl<B: SqlBackend> ConversationStore for B {
    async fn insert_conversation(&self, c: &Conversation) -> StoreResult<()> {
        run!(self.write, [c], |db| {
            let p = params![
                &c.id,
                &c.location_id,
                &c.contact_id,
                count(c.unread_count),
                c.starred,
                c.last_activity_at,
                c.has_messages,
                c.date_added,
                c.date_updated
            ];
            match db.execute(&INSERT, p).await {
                Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(
                    "the contact already has a conversation",
                )),
                other => other.map(drop),
            }
        })
    }

    async fn get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET, params![&id, &location], conversation).await
        })
    }

    async fn conversation_of_contact(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Option<Conversation>> {
        run!(self.lookup, [location, contact], |db| {
            db.opt(&BY_CONTACT, params![&location, &contact], conversation)
                .await
        })
    }

    async fn update_conversation(&self, c: &Conversation) -> StoreResult<()> {
        run!(self.write, [c], |db| {
            let p = params![
                &c.id,
                &c.location_id,
                count(c.unread_count),
                c.starred,
                c.date_updated
            ];
            db.change(&UPDATE, p).await
        })
    }

    async fn delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            db.change(&DELETE, params![&id, &location]).await
        })
    }

    async fn search_conversations(
        &self,
        location: &LocationId,
        q: &ConversationQuery,
    ) -> StoreResult<ConversationPage> {
        let pattern = q.query.as_deref().map(contains_pattern);
        run!(self.read, [location, q, pattern], |db| {
            let contact = q.contact_id.as_ref();
            let (unread, starred) = (Param::Bool(q.unread), Param::Bool(q.starred));
            let filters = &[
                Param::from(&location),
                Param::from(contact),
                Param::from(pattern.as_ref()),
                unread.clone(),
                starred.clone(),
            ][..];
            let total = db.one(&COUNT, filters, |row| row.int(0)).await?;
            let (after_at, after_id) = match &q.after {
                Some((at, id)) => (Some(*at), id.as_ref()),
                None => (None, None),
            };
            let page = if q.ascending { &PAGE_ASC } else { &PAGE_DESC };
            let p = &[
                Param::from(&location),
                Param::from(contact),
                Param::from(pattern.as_ref()),
                unread,
                starred,
                Param::from(after_at),
                Param::from(after_id),
                Param::from(i64::from(q.limit)),
            ][..];
            Ok(ConversationPage {
                conversations: db.rows(page, p, view).await?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    async fn inbox_page(
        &self,
        location: &LocationId,
        query: &InboxQuery,
    ) -> StoreResult<Vec<ConversationView>> {
        inbox::page(self, location, query).await
    }

    async fn add_message(&self, m: &Message, fresh: &Conversation) -> StoreResult<Message> {
        messages::add(self, m, fresh).await
    }

    async fn get_message(
        &self,
        location: &LocationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        messages::get(self, location, id).await
    }

    async fn list_messages(
        &self,
        location: &LocationId,
        conversation: &ConversationId,
        query: &MessageQuery,
    ) -> StoreResult<Vec<Message>> {
        messages::list(self, location, conversation, query).await
    }

    async fn set_message_status(
        &self,
        location: &LocationId,
        id: &MessageId,
        status: MessageStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Message> {
        messages::set_status(self, location, id, status, error, now).await
    }

    async fn claim_pending_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        messages::claim(self, now, lease_until, limit).await
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
        messages::finish(self, location, id, status, error, attempts, now).await
    }

    async fn messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>> {
        messaging::get(self, location).await
    }

    async fn save_messaging_settings(&self, settings: &MessagingSettings) -> StoreResult<()> {
        messaging::save(self, settings).await
    }
}
