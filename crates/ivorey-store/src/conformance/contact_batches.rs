//! Conformance cases for the batched contact calls: `insert_contacts` (the seed's) and
//! `find_contacts_by_keys` (an import batch's upsert lookups).

use std::collections::BTreeSet;

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_location};
use crate::{ContactQuery, Store, StoreError};

fn person(location: &LocationId, n: i64, email: Option<&str>, phone: Option<&str>) -> Contact {
    Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some(format!("Batchling{n}")),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            tags: vec!["seeded".into()],
            ..Default::default()
        },
        date_added: Timestamp(T0.0 + n),
        date_updated: Timestamp(T0.0 + n),
    }
}

fn ids(contacts: &[Contact]) -> BTreeSet<String> {
    contacts.iter().map(|c| c.id.as_str().to_owned()).collect()
}

pub async fn many_contacts_are_inserted_together_or_not_at_all(store: &dyn Store) {
    let (a, _) = new_location(store, "Batch").await;
    let batch: Vec<Contact> = (0..300)
        .map(|n| person(&a, n, Some(&format!("b{n}@batch.example")), None))
        .collect();
    store.insert_contacts(&batch).await.unwrap();
    for c in [&batch[0], &batch[150], &batch[299]] {
        assert_eq!(
            store.get_contact(&a, &c.id).await.unwrap().as_ref(),
            Some(c)
        );
    }
    let all = ContactQuery {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_contacts(&a, &all).await.unwrap().total, 300);
    // Indexed as a single write is: its words find it.
    let named = ContactQuery {
        query: Some("batchling150".into()),
        ..all.clone()
    };
    let found = store.list_contacts(&a, &named).await.unwrap().contacts;
    assert_eq!(ids(&found), ids(&batch[150..151]));

    // One contact that exists already fails the whole batch: none of the others is stored.
    let mut again: Vec<Contact> = (300..310).map(|n| person(&a, n, None, None)).collect();
    again.push(batch[7].clone());
    assert!(matches!(
        store.insert_contacts(&again).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.get_contact(&a, &again[0].id).await.unwrap().is_none());
    assert_eq!(store.list_contacts(&a, &all).await.unwrap().total, 300);
    store.insert_contacts(&[]).await.unwrap();
}

pub async fn a_batch_finds_the_contacts_of_any_of_its_emails_and_phones(store: &dyn Store) {
    let (a, _) = new_location(store, "Keys A").await;
    let (b, _) = new_location(store, "Keys B").await;
    let by_email = person(&a, 1, Some("Ana@Keys.example"), None);
    let by_phone = person(&a, 2, None, Some("+1 (555) 010-0200"));
    let both = person(&a, 3, Some("both@keys.example"), Some("+1 555 0300"));
    let twin = person(&a, 4, Some("ana@keys.example"), None);
    let unrelated = person(&a, 5, Some("other@keys.example"), Some("+1 555 0999"));
    let elsewhere = person(&b, 6, Some("ana@keys.example"), Some("+15550100200"));
    for c in [&by_email, &by_phone, &both, &twin, &unrelated, &elsewhere] {
        store.insert_contact(c).await.unwrap();
    }
    let emails = vec![
        "ana@keys.example".to_owned(),
        "both@keys.example".to_owned(),
    ];
    let phones = vec!["+15550100200".to_owned(), "+15550300".to_owned()];
    let found = store
        .find_contacts_by_keys(&a, &emails, &phones)
        .await
        .unwrap();
    // Each once though `both` matches by email and by phone; never another location's.
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(ids(&found), ids(&[by_email, by_phone, both, twin]));
    let none = store.find_contacts_by_keys(&a, &[], &[]).await.unwrap();
    assert!(none.is_empty());
    let missing = ["nobody@keys.example".to_owned()];
    let none = store
        .find_contacts_by_keys(&b, &missing, &[])
        .await
        .unwrap();
    assert!(none.is_empty());
}
