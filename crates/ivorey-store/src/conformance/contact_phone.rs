//! Conformance cases for the contact columns of migration 4: the normalised phone (upserts,
//! duplicate search) and the tag rows and keyset of contact search.

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::Store;

fn with_phone(location: &LocationId, phone: &str, at: Timestamp) -> Contact {
    Contact {
        created_by: None,
        updated_by: None,
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

pub async fn contact_search_filters_tags_and_pages_by_keyset(store: &dyn Store) {
    use ivorey_core::contact_search::{ContactSearch, Filter, SortField, SortValue};
    let (loc, _) = new_location(store, "Search").await;
    let (other, _) = new_location(store, "Other").await;
    let mut all = Vec::new();
    for i in 0..7_i64 {
        let mut c = with_phone(&loc, &format!("+1 555 000 {i:04}"), Timestamp(T0.0 + i));
        c.fields.tags = if i % 2 == 0 {
            vec!["even".into()]
        } else {
            vec![]
        };
        store.insert_contact(&c).await.unwrap();
        all.push(c);
    }
    let mut foreign = with_phone(&other, "+1 555 000 0000", T0);
    foreign.fields.tags = vec!["even".into()];
    store.insert_contact(&foreign).await.unwrap();
    let base = ContactSearch {
        filters: vec![Filter::HasTags(vec!["even".into()])],
        query: None,
        sort: SortField::DateAdded,
        descending: false,
        after: None,
        offset: 0,
        limit: 3,
    };
    let first = store.search_contacts(&loc, &base).await.unwrap();
    assert_eq!(
        first.total, 4,
        "the other location's contact is not counted"
    );
    let ids: Vec<_> = first.contacts.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, [&all[0].id, &all[2].id, &all[4].id].map(Clone::clone));
    let last = first.contacts.last().unwrap();
    let next = ContactSearch {
        after: Some((SortValue::At(last.date_added), last.id.clone())),
        ..base.clone()
    };
    let second = store.search_contacts(&loc, &next).await.unwrap();
    assert_eq!(second.contacts.len(), 1);
    assert_eq!(second.contacts[0].id, all[6].id);
    // Tags follow updates: a contact that loses its tag stops matching.
    let mut changed = all[0].clone();
    changed.fields.tags.clear();
    store.update_contact(&changed).await.unwrap();
    let after_update = store.search_contacts(&loc, &base).await.unwrap();
    assert_eq!(after_update.total, 3);
    let lacking = ContactSearch {
        filters: vec![Filter::LacksTags(vec!["even".into()])],
        descending: true,
        limit: 10,
        ..base
    };
    let odd = store.search_contacts(&loc, &lacking).await.unwrap();
    assert_eq!(odd.contacts.first().map(|c| &c.id), Some(&all[5].id));
    assert_eq!(odd.total, 4);
}
