//! Conformance cases for forms and their submissions.

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::form::{Form, FormInput, Submission};
use ivorey_core::ids::SubmissionId;
use ivorey_core::{ContactId, LocationId, Timestamp};
use serde_json::json;

use super::fixtures::{T0, new_location};
use crate::{ContactQuery, ContactWrite, Store, StoreError, SubmissionQuery};

fn form(location: &LocationId, name: &str, at: Timestamp) -> Form {
    let input: FormInput = serde_json::from_value(json!({
        "name": name,
        "fields": [{"key": "email", "label": "Email", "type": "email", "required": true}]
    }))
    .expect("form input");
    input.into_form(location, at).expect("valid form")
}

fn contact(location: &LocationId, email: &str) -> Contact {
    Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            email: Some(email.into()),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
    }
}

fn submission(form: &Form, contact: &Contact, at: Timestamp) -> Submission {
    let email = contact.fields.email.clone();
    Submission {
        id: SubmissionId::generate(),
        location_id: form.location_id.clone(),
        form_id: form.id.clone(),
        contact_id: contact.id.clone(),
        name: Some("Ada".into()),
        email: email.clone(),
        phone: None,
        values: json!({ "email": email })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        created_at: at,
    }
}

pub async fn forms_round_trip_within_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let mut f = form(&a, "Contact us", T0);
    store.create_form(&f).await.unwrap();
    store
        .create_form(&form(&a, "Second", Timestamp(T0.0 + 1)))
        .await
        .unwrap();
    assert_eq!(store.get_form(&a, &f.id).await.unwrap().as_ref(), Some(&f));
    assert_eq!(store.find_form(&f.id).await.unwrap().as_ref(), Some(&f));
    assert!(store.get_form(&b, &f.id).await.unwrap().is_none());
    let (page, total) = store.list_forms(&a, 1, 10).await.unwrap();
    assert_eq!((page.len(), total, page[0].name.as_str()), (1, 2, "Second"));
    assert_eq!(store.list_forms(&b, 0, 10).await.unwrap().1, 0);
    f.name = "Renamed".into();
    store.update_form(&f).await.unwrap();
    assert_eq!(
        store.get_form(&a, &f.id).await.unwrap().unwrap().name,
        "Renamed"
    );
    let hijack = Form {
        location_id: b.clone(),
        ..f.clone()
    };
    assert!(matches!(
        store.update_form(&hijack).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_form(&b, &f.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_form(&a, &f.id).await.unwrap();
    assert!(store.find_form(&f.id).await.unwrap().is_none());
}

pub async fn a_submission_is_stored_with_its_contact_or_not_at_all(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let f = form(&a, "Contact us", T0);
    store.create_form(&f).await.unwrap();
    let new = contact(&a, "ada@example.com");
    let s = submission(&f, &new, T0);
    store
        .record_submission(&ContactWrite::Insert(new.clone()), &s)
        .await
        .unwrap();
    assert_eq!(
        store.get_contact(&a, &new.id).await.unwrap().as_ref(),
        Some(&new)
    );
    let mut changed = new.clone();
    changed.fields.first_name = Some("Ada".into());
    changed.date_updated = Timestamp(T0.0 + 5);
    let second = submission(&f, &changed, Timestamp(T0.0 + 5));
    store
        .record_submission(&ContactWrite::Update(changed.clone()), &second)
        .await
        .unwrap();
    assert_eq!(
        store.get_contact(&a, &new.id).await.unwrap().as_ref(),
        Some(&changed)
    );
    // A contact a form wrote is searchable like any other: by its words and its name column.
    let by_word = ContactQuery {
        limit: 10,
        query: Some("ada".into()),
        ..Default::default()
    };
    let found = store.list_contacts(&a, &by_word).await.unwrap();
    assert_eq!(found.contacts, [changed.clone()]);
    let by_name: ivorey_core::contact_search::SearchBody =
        serde_json::from_value(json!({"filters": [
            {"field": "firstName", "operator": "eq", "value": "ADA"}]}))
        .unwrap();
    let page = store
        .search_contacts(&a, &by_name.into_search().unwrap())
        .await
        .unwrap();
    assert_eq!(page.contacts, [changed.clone()]);

    // A form of another location: the contact insert is rolled back with the submission.
    let foreign = Form {
        location_id: b.clone(),
        ..f.clone()
    };
    let stray = contact(&b, "stray@example.com");
    let refused = submission(&foreign, &stray, T0);
    let result = store
        .record_submission(&ContactWrite::Insert(stray.clone()), &refused)
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    assert!(store.get_contact(&b, &stray.id).await.unwrap().is_none());
    // Updating a contact that is gone writes nothing.
    let ghost = contact(&a, "ghost@example.com");
    let result = store
        .record_submission(
            &ContactWrite::Update(ghost.clone()),
            &submission(&f, &ghost, T0),
        )
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    let q = SubmissionQuery {
        limit: 10,
        ..Default::default()
    };
    let page = store.list_submissions(&a, &q).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.submissions, vec![second, s]);
}

pub async fn submissions_are_filtered_and_paged_newest_first(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let (f1, f2) = (form(&a, "One", T0), form(&a, "Two", T0));
    store.create_form(&f1).await.unwrap();
    store.create_form(&f2).await.unwrap();
    let mut all = Vec::new();
    for i in 0..7_i64 {
        let c = contact(&a, &format!("person{i}@example.com"));
        let f = if i % 2 == 0 { &f1 } else { &f2 };
        let s = submission(f, &c, Timestamp(T0.0 + i / 2));
        store
            .record_submission(&ContactWrite::Insert(c), &s)
            .await
            .unwrap();
        all.push(s);
    }
    all.sort_by(|x, y| (y.created_at, y.id.as_str()).cmp(&(x.created_at, x.id.as_str())));
    let mut seen = Vec::new();
    for page in 0..4 {
        let q = SubmissionQuery {
            offset: page * 2,
            limit: 2,
            ..Default::default()
        };
        let got = store.list_submissions(&a, &q).await.unwrap();
        assert_eq!(got.total, 7);
        seen.extend(got.submissions);
    }
    assert_eq!(seen, all);
    let by_form = SubmissionQuery {
        form_id: Some(f1.id.clone()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_submissions(&a, &by_form).await.unwrap().total, 4);
    let window = SubmissionQuery {
        from: Some(Timestamp(T0.0 + 1)),
        until: Some(Timestamp(T0.0 + 3)),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_submissions(&a, &window).await.unwrap().total, 4);
    let text = SubmissionQuery {
        query: Some("PERSON3@".into()),
        limit: 10,
        ..Default::default()
    };
    let found = store.list_submissions(&a, &text).await.unwrap();
    assert_eq!(found.submissions.len(), 1);
    let wildcard = SubmissionQuery {
        query: Some("%".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        store.list_submissions(&a, &wildcard).await.unwrap().total,
        0
    );
    let q = SubmissionQuery {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_submissions(&b, &q).await.unwrap().total, 0);
}
