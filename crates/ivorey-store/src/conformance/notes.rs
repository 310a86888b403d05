//! Conformance cases for notes on contacts.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::Note;
use ivorey_core::ids::NoteId;
use ivorey_core::{ContactId, IntegrationId, Timestamp, UserId};

use super::fixtures::{T0, new_contact, new_location};
use crate::{Store, StoreError};

fn note(contact: &ContactId, body: &str, user: Option<&UserId>, at: Timestamp) -> Note {
    Note {
        id: NoteId::generate(),
        contact_id: contact.clone(),
        body: body.into(),
        user_id: user.cloned(),
        date_added: at,
        created_by: user.map(|u| ChangedBy::User(u.clone())),
        updated_by: user.map(|u| ChangedBy::User(u.clone())),
    }
}

pub async fn notes_round_trip_within_their_location_and_contact(store: &dyn Store) {
    let (a, admin) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let c = new_contact(store, &a, "Noted").await;
    let other = new_contact(store, &a, "Noted").await;
    let mut n = note(&c, "Called, no answer", Some(&admin), T0);
    store.insert_note(&a, &n).await.unwrap();
    assert_eq!(
        store.get_note(&a, &c, &n.id).await.unwrap().as_ref(),
        Some(&n)
    );
    assert!(store.get_note(&b, &c, &n.id).await.unwrap().is_none());
    assert!(store.get_note(&a, &other, &n.id).await.unwrap().is_none());
    assert!(store.list_notes(&b, &c).await.unwrap().is_empty());
    assert!(store.list_notes(&a, &other).await.unwrap().is_empty());

    n.body = "Called back".into();
    n.user_id = None;
    // Who changed it last is written; who wrote it stays.
    n.updated_by = Some(ChangedBy::Integration(IntegrationId::generate()));
    store.update_note(&a, &n).await.unwrap();
    assert_eq!(
        store.get_note(&a, &c, &n.id).await.unwrap().as_ref(),
        Some(&n)
    );
    let hijack = Note {
        body: "stolen".into(),
        ..n.clone()
    };
    assert!(matches!(
        store.update_note(&b, &hijack).await,
        Err(StoreError::NotFound)
    ));
    let moved = Note {
        contact_id: other.clone(),
        ..hijack.clone()
    };
    assert!(matches!(
        store.update_note(&a, &moved).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_note(&a, &note(&c, "absent", None, T0)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.get_note(&a, &c, &n.id).await.unwrap().as_ref(),
        Some(&n)
    );

    // A note cannot be attached to a contact of another location, nor to a missing one.
    assert!(matches!(
        store.insert_note(&b, &note(&c, "foreign", None, T0)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .insert_note(&a, &note(&ContactId::generate(), "orphan", None, T0))
            .await,
        Err(StoreError::NotFound)
    ));

    assert!(matches!(
        store.delete_note(&b, &c, &n.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_note(&a, &other, &n.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_note(&a, &c, &n.id).await.unwrap();
    assert!(store.get_note(&a, &c, &n.id).await.unwrap().is_none());
    assert!(matches!(
        store.delete_note(&a, &c, &n.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn notes_are_listed_oldest_first_and_go_with_their_contact(store: &dyn Store) {
    let (loc, _) = new_location(store, "Order").await;
    let c = new_contact(store, &loc, "Noted").await;
    let keep = new_contact(store, &loc, "Noted").await;
    let mut expected = Vec::new();
    // Inserted newest first; several share a timestamp, so the id breaks ties.
    for i in (0..9).rev() {
        let n = note(&c, &format!("n{i}"), None, Timestamp(T0.0 + i / 3));
        store.insert_note(&loc, &n).await.unwrap();
        expected.push((n.date_added, n.id.as_str().to_owned()));
    }
    let kept = note(&keep, "stays", None, T0);
    store.insert_note(&loc, &kept).await.unwrap();
    expected.sort();
    let listed: Vec<_> = store
        .list_notes(&loc, &c)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.date_added, n.id.as_str().to_owned()))
        .collect();
    assert_eq!(listed, expected);

    store.delete_contact(&loc, &c).await.unwrap();
    assert!(store.list_notes(&loc, &c).await.unwrap().is_empty());
    assert_eq!(store.list_notes(&loc, &keep).await.unwrap(), vec![kept]);
}
