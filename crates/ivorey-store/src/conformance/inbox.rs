//! Conformance cases for the inbox: unread first, then by last message, in keyset pages that
//! cross from the unread part to the read part without gaps or repeats, by channel, and only
//! the location's own conversations.

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::conversation::{
    Channel, Conversation, Direction, Message, MessageContent, MessageStatus,
};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::{InboxCursor, InboxQuery, Store};

/// A contact whose one message (inbound: unread) went by `channel` at `T0 + at`; returns the
/// conversation's id.
async fn conversation(
    store: &dyn Store,
    location: &LocationId,
    channel: Channel,
    direction: Direction,
    at: i64,
) -> ConversationId {
    let contact = Contact {
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            name: Some(format!("Contact {at}")),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
        created_by: None,
        updated_by: None,
    };
    store.insert_contact(&contact).await.unwrap();
    let when = Timestamp(T0.0 + at);
    let message = Message {
        id: MessageId::generate(),
        location_id: location.clone(),
        conversation_id: ConversationId::generate(),
        contact_id: contact.id.clone(),
        channel,
        direction,
        status: MessageStatus::Delivered,
        body: format!("message at {at}"),
        content: MessageContent::default(),
        source: "api".into(),
        error: None,
        attempts: 0,
        date_added: when,
        date_updated: when,
        sent_by: None,
    };
    let fresh = Conversation::new(location, &contact.id, when);
    store
        .add_message(&message, &fresh)
        .await
        .unwrap()
        .conversation_id
}

/// Every page of `query`, `limit` at a time, following each page's last row.
async fn walk(
    store: &dyn Store,
    location: &LocationId,
    channel: Option<Channel>,
    limit: u32,
) -> Vec<ConversationId> {
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let query = InboxQuery {
            channel,
            after: after.clone(),
            limit,
        };
        let page = store.inbox_page(location, &query).await.unwrap();
        assert!(page.len() <= limit as usize);
        seen.extend(page.iter().map(|v| v.conversation.id.clone()));
        match page.last() {
            Some(last) if page.len() == limit as usize => {
                after = Some(InboxCursor::after(&last.conversation));
            }
            _ => return seen,
        }
    }
}

pub async fn the_inbox_lists_unread_first_then_by_last_message(store: &dyn Store) {
    let (a, _) = new_location(store, "Inbox A").await;
    let (b, _) = new_location(store, "Inbox B").await;
    use Channel::{Email, Sms};
    use Direction::{Inbound, Outbound};
    let read_old = conversation(store, &a, Sms, Outbound, 10).await;
    let unread_old = conversation(store, &a, Email, Inbound, 20).await;
    let read_mid = conversation(store, &a, Email, Outbound, 30).await;
    let unread_new = conversation(store, &a, Sms, Inbound, 40).await;
    let read_new = conversation(store, &a, Sms, Outbound, 50).await;
    // Same time as read_new: the id breaks the tie.
    let read_tie = conversation(store, &a, Sms, Outbound, 50).await;
    conversation(store, &b, Sms, Inbound, 60).await;

    let (first, second) = if read_new.as_str() > read_tie.as_str() {
        (read_new.clone(), read_tie.clone())
    } else {
        (read_tie.clone(), read_new.clone())
    };
    let expected = vec![
        unread_new.clone(),
        unread_old.clone(),
        first,
        second,
        read_mid.clone(),
        read_old.clone(),
    ];
    for limit in [1, 2, 3, 4, 10] {
        assert_eq!(
            walk(store, &a, None, limit).await,
            expected,
            "pages of {limit}"
        );
    }
    assert_eq!(
        walk(store, &a, Some(Email), 1).await,
        vec![unread_old.clone(), read_mid]
    );
    assert!(walk(store, &a, Some(Channel::Custom), 5).await.is_empty());

    // Once read, a conversation takes its place among the read ones by its last message.
    let mut c = store
        .get_conversation(&a, &unread_new)
        .await
        .unwrap()
        .unwrap();
    c.unread_count = 0;
    store.update_conversation(&c).await.unwrap();
    let page = walk(store, &a, None, 10).await;
    assert_eq!(page[0], unread_old);
    assert_eq!(page.iter().position(|id| *id == unread_new), Some(3));
    // The contact's name comes with each row.
    let query = InboxQuery {
        limit: 1,
        ..InboxQuery::default()
    };
    let top = store.inbox_page(&a, &query).await.unwrap();
    assert_eq!(top[0].contact.name.as_deref(), Some("Contact 20"));
}
