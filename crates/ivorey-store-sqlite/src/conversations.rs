//! Conversations in SQLite. The foreign keys of migration 5 keep a conversation with its
//! contact's location; the search joins the contact for its name, email and phone.

use ivorey_core::contact::ContactFields;
use ivorey_core::conversation::{Channel, Conversation, Direction};
use ivorey_core::ids::ConversationId;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{
    ConversationPage, ConversationQuery, ConversationView, StoreError, StoreResult,
    contains_pattern,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

pub(crate) const COLUMNS: &str = "c.id, c.location_id, c.contact_id, c.unread_count, c.starred, \
     c.last_message_body, c.last_message_type, c.last_message_direction, c.last_activity_at, \
     c.has_messages, c.date_added, c.date_updated";

pub(crate) fn conversation_from_row(row: &Row<'_>) -> rusqlite::Result<Conversation> {
    let id: String = row.get(0)?;
    let location: String = row.get(1)?;
    let contact: String = row.get(2)?;
    let kind: Option<String> = row.get(6)?;
    let direction: Option<String> = row.get(7)?;
    Ok(Conversation {
        id: ConversationId::parse(&id).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&location).map_err(|e| conversion_err(1, e))?,
        contact_id: ContactId::parse(&contact).map_err(|e| conversion_err(2, e))?,
        unread_count: row.get(3)?,
        starred: row.get(4)?,
        last_message_body: row.get(5)?,
        last_message_type: kind.as_deref().and_then(Channel::from_message_type),
        last_message_direction: direction.as_deref().and_then(Direction::parse),
        last_activity_at: Timestamp(row.get(8)?),
        has_messages: row.get(9)?,
        date_added: Timestamp(row.get(10)?),
        date_updated: Timestamp(row.get(11)?),
    })
}

/// Maps an insert's error: a contact missing from the location is `NotFound`, a second
/// conversation for one contact a `Conflict`.
pub(crate) fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("the contact already has a conversation")
    } else {
        db_err(e)
    }
}

pub(crate) fn insert(conn: &Connection, c: &Conversation) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO conversations (id, location_id, contact_id, unread_count, starred,
             last_activity_at, has_messages, date_added, date_updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.id.as_str(),
        c.location_id.as_str(),
        c.contact_id.as_str(),
        c.unread_count,
        c.starred,
        c.last_activity_at.0,
        c.has_messages,
        c.date_added.0,
        c.date_updated.0
    ])
}

pub(crate) fn by_contact(
    conn: &Connection,
    location: &LocationId,
    contact: &ContactId,
) -> rusqlite::Result<Option<Conversation>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM conversations c WHERE c.location_id = ?1 AND c.contact_id = ?2"
    ))?
    .query_row(
        params![location.as_str(), contact.as_str()],
        conversation_from_row,
    )
    .optional()
}

impl SqliteStore {
    pub(crate) async fn sqlite_insert_conversation(&self, c: &Conversation) -> StoreResult<()> {
        let c = c.clone();
        self.call(move |conn| insert(conn, &c).map(|_| ()).map_err(write_err))
            .await
    }

    pub(crate) async fn sqlite_get_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM conversations c WHERE c.id = ?1 AND c.location_id = ?2"
            ))
            .map_err(db_err)?
            .query_row(
                params![id.as_str(), location.as_str()],
                conversation_from_row,
            )
            .optional()
            .map_err(db_err)
        })
    }

    pub(crate) async fn sqlite_conversation_of_contact(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Option<Conversation>> {
        self.read_now(|conn| by_contact(conn, location, contact).map_err(db_err))
    }

    pub(crate) async fn sqlite_update_conversation(&self, c: &Conversation) -> StoreResult<()> {
        let c = c.clone();
        self.call(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE conversations SET unread_count = ?3, starred = ?4, date_updated = ?5
                     WHERE id = ?1 AND location_id = ?2",
                    params![
                        c.id.as_str(),
                        c.location_id.as_str(),
                        c.unread_count,
                        c.starred,
                        c.date_updated.0
                    ],
                )
                .map_err(db_err)?;
            if changed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    pub(crate) async fn sqlite_delete_conversation(
        &self,
        location: &LocationId,
        id: &ConversationId,
    ) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM conversations WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    pub(crate) async fn sqlite_search_conversations(
        &self,
        location: &LocationId,
        q: &ConversationQuery,
    ) -> StoreResult<ConversationPage> {
        let (location, q) = (location.clone(), q.clone());
        self.read(move |conn| {
            let pattern = q.query.as_deref().map(contains_pattern);
            let contact = q.contact_id.as_ref().map(ContactId::as_str);
            let filters = "c.location_id = ?1
                AND (?2 IS NULL OR c.contact_id = ?2)
                AND (?3 IS NULL OR k.search_text LIKE ?3 ESCAPE '\\'
                     OR lower(coalesce(c.last_message_body, '')) LIKE ?3 ESCAPE '\\')
                AND (?4 IS NULL OR (c.unread_count > 0) = ?4)
                AND (?5 IS NULL OR c.starred = ?5)";
            let total: i64 = conn
                .prepare_cached(&format!(
                    "SELECT count(*) FROM conversations c
                     JOIN contacts k ON k.location_id = c.location_id AND k.id = c.contact_id
                     WHERE {filters}"
                ))
                .map_err(db_err)?
                .query_row(
                    params![location.as_str(), contact, pattern, q.unread, q.starred],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            let (cmp, order) = if q.ascending {
                (">", "ASC")
            } else {
                ("<", "DESC")
            };
            let (after_at, after_id) = match &q.after {
                Some((at, id)) => (Some(at.0), id.as_ref().map(|i| i.as_str().to_owned())),
                None => (None, None),
            };
            let sql = format!(
                "SELECT {COLUMNS}, k.data FROM conversations c
                 JOIN contacts k ON k.location_id = c.location_id AND k.id = c.contact_id
                 WHERE {filters}
                   AND (?6 IS NULL OR c.last_activity_at {cmp} ?6
                        OR (?7 IS NOT NULL AND c.last_activity_at = ?6 AND c.id {cmp} ?7))
                 ORDER BY c.last_activity_at {order}, c.id {order} LIMIT ?8"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        contact,
                        pattern,
                        q.unread,
                        q.starred,
                        after_at,
                        after_id,
                        q.limit
                    ],
                    |row| {
                        let data: String = row.get(12)?;
                        Ok(ConversationView {
                            conversation: conversation_from_row(row)?,
                            contact: serde_json::from_str::<ContactFields>(&data)
                                .map_err(|e| conversion_err(12, e))?,
                        })
                    },
                )
                .map_err(db_err)?;
            Ok(ConversationPage {
                conversations: rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }
}
