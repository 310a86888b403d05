//! Conformance cases for conversations, messages and the outbox.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::conversation::{
    Channel, Conversation, Direction, Message, MessageContent, MessageStatus,
};
use ivorey_core::ids::MessageId;
use ivorey_core::{ContactId, IntegrationId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::{ConversationQuery, MessageQuery, Store, StoreError};

async fn contact(store: &dyn Store, location: &LocationId, name: &str) -> ContactId {
    let contact = Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some(name.into()),
            name: Some(name.into()),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
    };
    store.insert_contact(&contact).await.unwrap();
    contact.id
}

fn outbound(location: &LocationId, contact: &ContactId, body: &str, at: Timestamp) -> Message {
    let fresh = Conversation::new(location, contact, at);
    Message {
        id: MessageId::generate(),
        location_id: location.clone(),
        conversation_id: fresh.id,
        contact_id: contact.clone(),
        channel: Channel::Sms,
        direction: Direction::Outbound,
        status: MessageStatus::Pending,
        body: body.into(),
        content: MessageContent::default(),
        source: "api".into(),
        error: None,
        attempts: 0,
        date_added: at,
        date_updated: at,
        sent_by: Some(ChangedBy::Integration(IntegrationId::generate())),
    }
}

pub async fn conversations_and_messages_stay_in_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let ada = contact(store, &a, "Ada").await;
    let conv = Conversation::new(&a, &ada, T0);
    store.insert_conversation(&conv).await.unwrap();
    assert!(matches!(
        store
            .insert_conversation(&Conversation::new(&a, &ada, T0))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .insert_conversation(&Conversation::new(&b, &ada, T0))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.get_conversation(&a, &conv.id).await.unwrap(),
        Some(conv.clone())
    );
    assert_eq!(store.get_conversation(&b, &conv.id).await.unwrap(), None);

    // The first message goes into the existing conversation, not the fresh one offered.
    let first = outbound(&a, &ada, "Hello Ada", Timestamp(T0.0 + 5));
    let stored = store
        .add_message(&first, &Conversation::new(&a, &ada, T0))
        .await
        .unwrap();
    assert_eq!(stored.conversation_id, conv.id);
    let after = store.get_conversation(&a, &conv.id).await.unwrap().unwrap();
    assert_eq!(after.last_message_body.as_deref(), Some("Hello Ada"));
    assert_eq!(after.last_activity_at, Timestamp(T0.0 + 5));
    assert_eq!(
        store.get_message(&a, &stored.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(store.get_message(&b, &stored.id).await.unwrap(), None);

    // A contact of another location cannot receive a message through this one.
    let bob = contact(store, &b, "Bob").await;
    assert!(matches!(
        store
            .add_message(
                &outbound(&a, &bob, "x", T0),
                &Conversation::new(&a, &bob, T0)
            )
            .await,
        Err(StoreError::NotFound)
    ));

    let page = store
        .search_conversations(
            &b,
            &ConversationQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    let page = store
        .search_conversations(
            &a,
            &ConversationQuery {
                query: Some("ada".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.conversations[0].contact.name.as_deref(), Some("Ada"));

    assert!(matches!(
        store.delete_conversation(&b, &conv.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_conversation(&a, &conv.id).await.unwrap();
    assert_eq!(store.get_message(&a, &stored.id).await.unwrap(), None);
}

pub async fn messages_page_newest_first_and_the_outbox_is_claimed_once(store: &dyn Store) {
    let (loc, _) = new_location(store, "Outbox").await;
    let c = contact(store, &loc, "Cy").await;
    let fresh = Conversation::new(&loc, &c, T0);
    let mut ids = Vec::new();
    for i in 0..7 {
        // Several share a time, so the id breaks ties.
        let m = outbound(&loc, &c, &format!("m{i}"), Timestamp(T0.0 + i / 2));
        let m = store.add_message(&m, &fresh).await.unwrap();
        ids.push((m.date_added, m.id.clone()));
    }
    ids.sort();
    ids.reverse();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let q = MessageQuery {
            before: before.clone(),
            types: vec![],
            limit: 3,
        };
        let page = store.list_messages(&loc, &fresh.id, &q).await.unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|m| m.id.clone());
        seen.extend(page.into_iter().map(|m| (m.date_added, m.id)));
    }
    assert_eq!(seen, ids);
    let only_email = MessageQuery {
        before: None,
        types: vec!["TYPE_EMAIL".into()],
        limit: 10,
    };
    assert!(
        store
            .list_messages(&loc, &fresh.id, &only_email)
            .await
            .unwrap()
            .is_empty()
    );

    let lease = Timestamp(T0.0 + 60_000);
    let claimed = store.claim_pending_messages(T0, lease, 5).await.unwrap();
    assert_eq!(claimed.len(), 5);
    let rest = store.claim_pending_messages(T0, lease, 5).await.unwrap();
    assert_eq!(rest.len(), 2, "leased messages are not claimed twice");
    assert!(
        store
            .claim_pending_messages(T0, lease, 5)
            .await
            .unwrap()
            .is_empty()
    );
    // After the lease ends, an unfinished message is taken over.
    let m = &claimed[0];
    assert!(
        store
            .finish_delivery(&loc, &m.id, MessageStatus::Sent, None, 1, T0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_delivery(&loc, &m.id, MessageStatus::Failed, Some("late"), 2, T0)
            .await
            .unwrap()
    );
    let later = store
        .claim_pending_messages(Timestamp(lease.0 + 1), Timestamp(lease.0 + 60_000), 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 6);
    let done = store.get_message(&loc, &m.id).await.unwrap().unwrap();
    assert_eq!((done.status, done.attempts), (MessageStatus::Sent, 1));
    let read = store
        .set_message_status(&loc, &m.id, MessageStatus::Delivered, None, T0)
        .await
        .unwrap();
    assert_eq!(read.status, MessageStatus::Delivered);
}
