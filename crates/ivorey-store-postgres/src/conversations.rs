//! Conversations in PostgreSQL. The foreign keys of migration 5 keep a conversation with its
//! contact's location; the search joins the contact for its name, email and phone.

use deadpool_postgres::GenericClient;
use ivorey_core::contact::ContactFields;
use ivorey_core::conversation::{Channel, Conversation, Direction};
use ivorey_core::ids::ConversationId;
use ivorey_core::{ContactId, LocationId};
use ivorey_store::{
    ConversationPage, ConversationQuery, ConversationView, StoreError, StoreResult,
    contains_pattern,
};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{get, id, ts};

pub(crate) const COLUMNS: &str = "c.id, c.location_id, c.contact_id, c.unread_count, c.starred, \
     c.last_message_body, c.last_message_type, c.last_message_direction, c.last_activity_at, \
     c.has_messages, c.date_added, c.date_updated";

pub(crate) fn from_row(row: &Row) -> StoreResult<Conversation> {
    let kind: Option<String> = get(row, "last_message_type")?;
    let direction: Option<String> = get(row, "last_message_direction")?;
    Ok(Conversation {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        contact_id: id(row, "contact_id")?,
        unread_count: u32::try_from(get::<i32>(row, "unread_count")?).unwrap_or(0),
        starred: get(row, "starred")?,
        last_message_body: get(row, "last_message_body")?,
        last_message_type: kind.as_deref().and_then(Channel::from_message_type),
        last_message_direction: direction.as_deref().and_then(Direction::parse),
        last_activity_at: ts(row, "last_activity_at")?,
        has_messages: get(row, "has_messages")?,
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Maps an insert's error: a second conversation for one contact is a `Conflict`.
pub(crate) fn insert_err(e: tokio_postgres::Error) -> StoreError {
    match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict("the contact already has a conversation"),
        other => other,
    }
}

pub(crate) async fn insert(client: &impl GenericClient, c: &Conversation) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO conversations (id, location_id, contact_id, unread_count, starred, \
             last_activity_at, has_messages, date_added, date_updated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &c.id.as_str(),
                &c.location_id.as_str(),
                &c.contact_id.as_str(),
                &count(c.unread_count),
                &c.starred,
                &c.last_activity_at.millis(),
                &c.has_messages,
                &c.date_added.millis(),
                &c.date_updated.millis(),
            ],
        )
        .await
        .map_err(insert_err)?;
    Ok(())
}

pub(crate) async fn by_contact(
    client: &impl GenericClient,
    location: &LocationId,
    contact: &ContactId,
) -> StoreResult<Option<Conversation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM conversations c WHERE c.location_id = $1 AND c.contact_id = $2"
    );
    let row = client
        .query_opt(&sql, &[&location.as_str(), &contact.as_str()])
        .await
        .map_err(db_err)?;
    row.as_ref().map(from_row).transpose()
}

impl PgStore {
    pub(crate) async fn pg_get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        let client = self.client().await?;
        let sql =
            format!("SELECT {COLUMNS} FROM conversations c WHERE c.id = $1 AND c.location_id = $2");
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    pub(crate) async fn pg_update_conversation(&self, c: &Conversation) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE conversations SET unread_count = $3, starred = $4, date_updated = $5 \
                 WHERE id = $1 AND location_id = $2",
                &[
                    &c.id.as_str(),
                    &c.location_id.as_str(),
                    &count(c.unread_count),
                    &c.starred,
                    &c.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    pub(crate) async fn pg_delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let removed = client
            .execute(
                "DELETE FROM conversations WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if removed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    pub(crate) async fn pg_search_conversations(
        &self,
        location: &LocationId,
        q: &ConversationQuery,
    ) -> StoreResult<ConversationPage> {
        let client = self.client().await?;
        let pattern = q.query.as_deref().map(contains_pattern);
        let contact = q.contact_id.as_ref().map(ContactId::as_str);
        let filters = "c.location_id = $1 \
            AND ($2::text IS NULL OR c.contact_id = $2) \
            AND ($3::text IS NULL OR k.search_text LIKE $3 ESCAPE '\\' \
                 OR lower(coalesce(c.last_message_body, '')) LIKE $3 ESCAPE '\\') \
            AND ($4::boolean IS NULL OR (c.unread_count > 0) = $4) \
            AND ($5::boolean IS NULL OR c.starred = $5)";
        let from = "FROM conversations c \
            JOIN contacts k ON k.location_id = c.location_id AND k.id = c.contact_id";
        let total: i64 = client
            .query_one(
                &format!("SELECT count(*) AS n {from} WHERE {filters}"),
                &[
                    &location.as_str(),
                    &contact,
                    &pattern,
                    &q.unread,
                    &q.starred,
                ],
            )
            .await
            .map_err(db_err)?
            .try_get("n")
            .map_err(db_err)?;
        let (cmp, order) = if q.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let after_at = q.after.as_ref().map(|(at, _)| at.millis());
        let after_id = q
            .after
            .as_ref()
            .and_then(|(_, id)| id.as_ref().map(ConversationId::as_str));
        let sql = format!(
            "SELECT {COLUMNS}, k.data {from} WHERE {filters} \
               AND ($6::bigint IS NULL OR c.last_activity_at {cmp} $6 \
                    OR ($7::text IS NOT NULL AND c.last_activity_at = $6 AND c.id {cmp} $7)) \
             ORDER BY c.last_activity_at {order}, c.id {order} LIMIT $8"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &location.as_str(),
                    &contact,
                    &pattern,
                    &q.unread,
                    &q.starred,
                    &after_at,
                    &after_id,
                    &i64::from(q.limit),
                ],
            )
            .await
            .map_err(db_err)?;
        let conversations = rows
            .iter()
            .map(|row| {
                let data: String = get(row, "data")?;
                Ok(ConversationView {
                    conversation: from_row(row)?,
                    contact: serde_json::from_str::<ContactFields>(&data)
                        .map_err(|_| corrupt("contact data"))?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(ConversationPage {
            conversations,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}
