//! The inbox, for the `ConversationStore` impl in `conversations.rs`: unread conversations
//! first, then read ones, each part newest last message first. Migration 16's indexes lead
//! with the location (and the channel), then the unread expression, then the keyset
//! (last_activity_at, id): a page reads the part its cursor is in with one index seek and,
//! when that part ends before the page is full, the read part from its top with another. So a
//! page costs the same at any depth and no page counts or loads the location's conversations.

use ivorey_core::{LocationId, Timestamp};

use super::conversations::conversation;
use super::{Param, Row, Sql, SqlBackend};
use crate::{ConversationView, InboxQuery, StoreResult, run};

/// `$1` location, `$2` unread, `$3`/`$4` the keyset cursor, `$5` rows; `$channel` an extra
/// filter. The unread test is written as migration 16's index expression, so both planners
/// match it.
macro_rules! part {
    ($channel:literal) => {
        concat!(
            "SELECT c.id, c.location_id, c.contact_id, c.unread_count, c.starred,
                    c.last_message_body, c.last_message_type, c.last_message_direction,
                    c.last_activity_at, c.has_messages, c.date_added, c.date_updated, k.data
             FROM conversations c
             JOIN contacts k ON k.location_id = c.location_id AND k.id = c.contact_id
             WHERE c.location_id = $1",
            $channel,
            " AND (c.unread_count > 0) = $2
               AND (c.last_activity_at, c.id) < ($3, $4)
             ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $5"
        )
    };
}

static PART: Sql = Sql::new(part!(""));
static PART_OF_CHANNEL: Sql = Sql::new(part!(" AND c.last_message_type = $6"));

fn view(row: &dyn Row) -> StoreResult<ConversationView> {
    Ok(ConversationView {
        conversation: conversation(row)?,
        contact: row.json(12, "contact data")?,
    })
}

/// One part's parameters: `id` "" with `at` at the top of the part.
fn part_params<'a>(
    location: &'a LocationId,
    unread: bool,
    (at, id): (Timestamp, &'a str),
    rows: i64,
    channel: Option<&'a str>,
) -> Vec<Param<'a>> {
    let mut p = vec![
        Param::from(location),
        Param::Bool(Some(unread)),
        Param::from(at),
        Param::from(id),
        Param::from(rows),
    ];
    if let Some(channel) = channel {
        p.push(Param::from(channel));
    }
    p
}

pub(super) async fn page<B: SqlBackend>(
    store: &B,
    location: &LocationId,
    q: &InboxQuery,
) -> StoreResult<Vec<ConversationView>> {
    run!(store.read, [location, q], |db| {
        let channel = q.channel.map(|c| c.message_type());
        let sql = if channel.is_some() {
            &PART_OF_CHANNEL
        } else {
            &PART
        };
        // The top of a part: later than any stored time.
        let top = (Timestamp(i64::MAX), "");
        let (unread, from) = match &q.after {
            Some(c) => (c.unread, (c.at, c.id.as_str())),
            None => (true, top),
        };
        let limit = i64::from(q.limit);
        let p = part_params(&location, unread, from, limit, channel);
        let mut rows = db.rows(sql, &p, view).await?;
        let room = limit - i64::try_from(rows.len()).unwrap_or(limit);
        if unread && room > 0 {
            let p = part_params(&location, false, top, room, channel);
            rows.extend(db.rows(sql, &p, view).await?);
        }
        Ok(rows)
    })
}
