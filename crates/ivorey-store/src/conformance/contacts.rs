//! Conformance cases for contacts.

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::{ContactQuery, Store, StoreError};

fn contact(location: &LocationId, first: &str, email: &str, at: Timestamp) -> Contact {
    Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some(first.into()),
            name: Some(first.into()),
            email: Some(email.into()),
            phone: Some("+1 555 0100".into()),
            tags: vec!["lead".into()],
            ..Default::default()
        },
        date_added: at,
        date_updated: at,
    }
}

pub async fn contacts_round_trip_within_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let mut c = contact(&a, "Rosan", "Rosan@Deos.com", T0);
    store.insert_contact(&c).await.unwrap();
    assert_eq!(
        store.get_contact(&a, &c.id).await.unwrap().as_ref(),
        Some(&c)
    );
    assert!(store.get_contact(&b, &c.id).await.unwrap().is_none());
    c.fields.city = Some("Dolomite".into());
    c.date_updated = Timestamp(T0.0 + 1);
    store.update_contact(&c).await.unwrap();
    assert_eq!(
        store.get_contact(&a, &c.id).await.unwrap().as_ref(),
        Some(&c)
    );
    let foreign = Contact {
        location_id: b.clone(),
        ..c.clone()
    };
    assert!(matches!(
        store.update_contact(&foreign).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_contact(&b, &c.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_contact(&a, &c.id).await.unwrap();
    assert!(store.get_contact(&a, &c.id).await.unwrap().is_none());
    assert!(matches!(
        store.delete_contact(&a, &c.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn contact_pages_follow_the_keyset_without_gaps_or_repeats(store: &dyn Store) {
    let (loc, _) = new_location(store, "P").await;
    let (other, _) = new_location(store, "Q").await;
    let mut ids = Vec::new();
    for i in 0..25 {
        // Several contacts share a timestamp, so the id must break ties.
        let c = contact(
            &loc,
            &format!("c{i}"),
            &format!("c{i}@x.io"),
            Timestamp(T0.0 + i / 3),
        );
        store.insert_contact(&c).await.unwrap();
        ids.push((c.date_added, c.id.as_str().to_owned()));
        store
            .insert_contact(&contact(&other, "noise", "n@x.io", T0))
            .await
            .unwrap();
    }
    ids.sort();
    let mut seen = Vec::new();
    let mut query = ContactQuery {
        limit: 10,
        ..Default::default()
    };
    loop {
        let page = store.list_contacts(&loc, &query).await.unwrap();
        assert_eq!(page.total, 25);
        assert!(page.location_ids_are(&loc));
        let Some(last) = page.contacts.last() else {
            break;
        };
        query.after = Some((last.date_added, last.id.as_str().to_owned()));
        seen.extend(
            page.contacts
                .iter()
                .map(|c| (c.date_added, c.id.as_str().to_owned())),
        );
    }
    assert_eq!(seen, ids);
}

pub async fn contact_query_matches_name_email_and_phone(store: &dyn Store) {
    let (loc, _) = new_location(store, "Search").await;
    store
        .insert_contact(&contact(&loc, "Alice", "alice@wonder.land", T0))
        .await
        .unwrap();
    store
        .insert_contact(&contact(&loc, "Bob", "bob@builder.io", T0))
        .await
        .unwrap();
    let q = |s: &str| ContactQuery {
        limit: 20,
        query: Some(s.into()),
        ..Default::default()
    };
    let names = |page: crate::ContactPage| {
        page.contacts
            .into_iter()
            .map(|c| c.fields.first_name.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.list_contacts(&loc, &q("ALI")).await.unwrap()),
        ["Alice"]
    );
    assert_eq!(
        names(store.list_contacts(&loc, &q("builder")).await.unwrap()),
        ["Bob"]
    );
    assert_eq!(store.list_contacts(&loc, &q("555")).await.unwrap().total, 2);
    // A query without a letter or digit matches nothing (LIKE wildcards are not patterns).
    assert_eq!(store.list_contacts(&loc, &q("%")).await.unwrap().total, 0);
    assert_eq!(store.list_contacts(&loc, &q("_")).await.unwrap().total, 0);
}

pub async fn contacts_are_found_by_email_within_their_location(store: &dyn Store) {
    let (loc, _) = new_location(store, "Email").await;
    let (other, _) = new_location(store, "Elsewhere").await;
    let first = contact(&loc, "First", "Same@Example.com", T0);
    let second = contact(&loc, "Second", "same@example.com", Timestamp(T0.0 + 5));
    store.insert_contact(&second).await.unwrap();
    store.insert_contact(&first).await.unwrap();
    store
        .insert_contact(&contact(&other, "Foreign", "same@example.com", T0))
        .await
        .unwrap();
    let found = store
        .find_contact_by_email(&loc, "same@example.com")
        .await
        .unwrap();
    assert_eq!(
        found.map(|c| c.id),
        Some(first.id),
        "the oldest match in the location"
    );
    assert!(
        store
            .find_contact_by_email(&loc, "none@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (empty, _) = new_location(store, "Empty").await;
    assert!(
        store
            .find_contact_by_email(&empty, "same@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn contacts_remember_who_created_and_last_changed_them(store: &dyn Store) {
    use ivorey_core::changed_by::ChangedBy;
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let tool = ChangedBy::Integration(ivorey_core::IntegrationId::generate());
    let person = ChangedBy::User(ivorey_core::UserId::generate());
    let mut first = contact(&a, "Ann", "ann@example.com", T0);
    first.changed_by(tool.clone(), true);
    store.insert_contact(&first).await.unwrap();
    let mut second = contact(&a, "Bob", "bob@example.com", Timestamp(T0.0 + 1));
    second.changed_by(tool.clone(), true);
    store.insert_contact(&second).await.unwrap();
    let got = store.get_contact(&a, &first.id).await.unwrap().unwrap();
    assert_eq!(
        (got.created_by, got.updated_by),
        (Some(tool.clone()), Some(tool.clone()))
    );
    // Newest change first; another location's list is empty.
    let by_tool = store.contacts_last_changed_by(&a, &tool, 10).await.unwrap();
    let ids: Vec<_> = by_tool.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, vec![second.id.clone(), first.id.clone()]);
    assert!(
        store
            .contacts_last_changed_by(&b, &tool, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A person's later change moves the contact to them; its creator stays.
    first.changed_by(person.clone(), false);
    first.date_updated = Timestamp(T0.0 + 5);
    store.update_contact(&first).await.unwrap();
    let got = store.get_contact(&a, &first.id).await.unwrap().unwrap();
    assert_eq!(
        (got.created_by, got.updated_by),
        (Some(tool.clone()), Some(person.clone()))
    );
    let by_tool = store.contacts_last_changed_by(&a, &tool, 10).await.unwrap();
    assert_eq!(by_tool.len(), 1);
    let by_person = store
        .contacts_last_changed_by(&a, &person, 1)
        .await
        .unwrap();
    assert_eq!(by_person[0].id, first.id);
}
