//! Conformance cases for attribution beyond contacts: the notes, tasks, opportunities and
//! messages one changer changed last (or sent), newest first, within one location.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::Note;
use ivorey_core::conversation::{
    Channel, Conversation, Direction, Message, MessageContent, MessageStatus,
};
use ivorey_core::ids::{MessageId, NoteId, TaskId};
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::task::Task;
use ivorey_core::{ContactId, IntegrationId, LocationId, OpportunityId, Timestamp, UserId};

use super::fixtures::{T0, new_contact, new_location};
use crate::{RecordKind, Store};

fn at(ms: i64) -> Timestamp {
    Timestamp(T0.0 + ms)
}

fn note(contact: &ContactId, by: &ChangedBy, when: Timestamp) -> Note {
    Note {
        id: NoteId::generate(),
        contact_id: contact.clone(),
        body: "Wants a demo".into(),
        user_id: None,
        date_added: when,
        created_by: Some(by.clone()),
        updated_by: Some(by.clone()),
    }
}

fn task(contact: &ContactId, by: &ChangedBy, when: Timestamp) -> Task {
    Task {
        id: TaskId::generate(),
        contact_id: contact.clone(),
        title: "Book the demo".into(),
        body: None,
        due_date: when,
        completed: false,
        assigned_to: None,
        date_added: when,
        date_updated: when,
        created_by: Some(by.clone()),
        updated_by: Some(by.clone()),
    }
}

fn opportunity(p: &Pipeline, contact: &ContactId, by: &ChangedBy, when: Timestamp) -> Opportunity {
    Opportunity {
        id: OpportunityId::generate(),
        location_id: p.location_id.clone(),
        pipeline_id: p.id.clone(),
        stage_id: p.stages[0].id.clone(),
        contact_id: contact.clone(),
        name: "Demo deal".into(),
        status: OpportunityStatus::Open,
        monetary_value: MonetaryValue::from_minor(100).unwrap(),
        assigned_to: None,
        source: None,
        lost_reason_id: None,
        created_at: when,
        updated_at: when,
        last_status_change_at: when,
        last_stage_change_at: when,
        created_by: Some(by.clone()),
        updated_by: Some(by.clone()),
    }
}

fn message(location: &LocationId, contact: &ContactId, by: &ChangedBy, when: Timestamp) -> Message {
    Message {
        id: MessageId::generate(),
        location_id: location.clone(),
        conversation_id: Conversation::new(location, contact, when).id,
        contact_id: contact.clone(),
        channel: Channel::Sms,
        direction: Direction::Outbound,
        status: MessageStatus::Pending,
        body: "Demo on Tuesday?".into(),
        content: MessageContent::default(),
        source: "api".into(),
        error: None,
        attempts: 0,
        date_added: when,
        date_updated: when,
        sent_by: Some(by.clone()),
    }
}

pub async fn the_records_a_changer_changed_last_are_listed_newest_first(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let tool = ChangedBy::Integration(IntegrationId::generate());
    let person = ChangedBy::User(UserId::generate());
    let grace = new_contact(store, &a, "Grace").await;
    let mut n = note(&grace, &tool, at(1));
    store.insert_note(&a, &n).await.unwrap();
    store
        .insert_task(&a, &task(&grace, &tool, at(2)))
        .await
        .unwrap();
    let p = Pipeline::new(&a, "Sales", &["Lead"], T0).unwrap();
    store.create_pipeline(&p).await.unwrap();
    let deal = opportunity(&p, &grace, &tool, at(3));
    store.insert_opportunity(&deal).await.unwrap();
    let sms = message(&a, &grace, &tool, at(4));
    let fresh = Conversation::new(&a, &grace, at(4));
    let stored = store.add_message(&sms, &fresh).await.unwrap();
    // A reply the tool recorded through the API is its too, told apart from what it sent.
    let mut reply = message(&a, &grace, &tool, at(6));
    reply.direction = Direction::Inbound;
    reply.status = MessageStatus::Delivered;
    store.add_message(&reply, &fresh).await.unwrap();
    // Someone else's note is not the tool's.
    store
        .insert_note(&a, &note(&grace, &person, at(5)))
        .await
        .unwrap();

    let done = store.records_last_changed_by(&a, &tool, 10).await.unwrap();
    let kinds: Vec<_> = done.iter().map(|r| r.kind).collect();
    use RecordKind::{InboundMessage as I, Message as M, Note as N, Opportunity as O, Task as T};
    assert_eq!(kinds, vec![I, M, O, T, N]);
    assert_eq!(
        done[1].conversation_id.as_ref(),
        Some(&stored.conversation_id)
    );
    assert_eq!(done[1].label, "Demo on Tuesday?");
    assert_eq!(done[2].label, "Demo deal");
    assert_eq!(done[2].id, deal.id.to_string());
    assert!(
        done.iter()
            .all(|r| r.contact_id == grace && r.created_by == Some(tool.clone()))
    );
    assert_eq!(done[4].contact.first_name.as_deref(), Some("Grace"));
    assert_eq!(done[4].at, at(1));

    let newest = store.records_last_changed_by(&a, &tool, 2).await.unwrap();
    assert_eq!(
        newest.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![I, M]
    );
    assert!(
        store
            .records_last_changed_by(&b, &tool, 10)
            .await
            .unwrap()
            .is_empty(),
        "another location sees nothing"
    );

    // A person's later edit takes the note off the tool's list; who wrote it stays.
    n.body = "Wants a demo next week".into();
    n.updated_by = Some(person.clone());
    store.update_note(&a, &n).await.unwrap();
    let done = store.records_last_changed_by(&a, &tool, 10).await.unwrap();
    assert_eq!(
        done.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![I, M, O, T]
    );
    let theirs = store
        .records_last_changed_by(&a, &person, 10)
        .await
        .unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(
        theirs
            .iter()
            .any(|r| r.id == n.id.to_string() && r.created_by == Some(tool.clone()))
    );
}
