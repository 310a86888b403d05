//! Conformance cases for the normalised phone of contacts (upsert matching, duplicate search).

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::Store;

fn with_phone(location: &LocationId, phone: &str, at: Timestamp) -> Contact {
    Contact {
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some("Phoned".into()),
            phone: Some(phone.into()),
            ..Default::default()
        },
        date_added: at,
        date_updated: at,
    }
}

pub async fn contacts_are_found_by_normalised_phone_within_their_location(store: &dyn Store) {
    let (loc, _) = new_location(store, "Phone").await;
    let (other, _) = new_location(store, "Elsewhere").await;
    let first = with_phone(&loc, "+1 (888) 555-0101", T0);
    let second = with_phone(&loc, "1.888.555.0101", Timestamp(T0.0 + 5));
    store.insert_contact(&second).await.unwrap();
    store.insert_contact(&first).await.unwrap();
    store
        .insert_contact(&with_phone(&other, "+18885550101", T0))
        .await
        .unwrap();
    let found = store
        .find_contact_by_phone(&loc, "+18885550101")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(first.id.clone()), "the oldest");
    assert!(
        store
            .find_contact_by_phone(&loc, "+18885550102")
            .await
            .unwrap()
            .is_none()
    );
    // A changed phone is found under its new value only.
    let mut moved = first.clone();
    moved.fields.phone = Some("+44 20 7946 0000".into());
    store.update_contact(&moved).await.unwrap();
    let found = store
        .find_contact_by_phone(&loc, "+18885550101")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(second.id));
    let found = store
        .find_contact_by_phone(&loc, "+442079460000")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(first.id));
    let (empty, _) = new_location(store, "Empty").await;
    assert!(
        store
            .find_contact_by_phone(&empty, "+18885550101")
            .await
            .unwrap()
            .is_none()
    );
}
