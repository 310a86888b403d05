//! Conformance cases for tasks on contacts and custom field definitions.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::{CustomFieldId, TaskId};
use ivorey_core::task::Task;
use ivorey_core::{ContactId, IntegrationId, LocationId, Timestamp};

use super::fixtures::{T0, new_contact, new_location};
use crate::{Store, StoreError};

fn task(contact: &ContactId, title: &str, due: i64) -> Task {
    Task {
        id: TaskId::generate(),
        contact_id: contact.clone(),
        title: title.into(),
        body: Some("body".into()),
        due_date: Timestamp(due),
        completed: false,
        assigned_to: None,
        date_added: T0,
        date_updated: T0,
        created_by: Some(ChangedBy::Integration(IntegrationId::generate())),
        updated_by: None,
    }
}

pub async fn tasks_stay_in_their_location_and_go_with_their_contact(store: &dyn Store) {
    let (a, admin) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let c = new_contact(store, &a, "Tasked").await;
    let late = task(&c, "Late", 20);
    let mut early = task(&c, "Early", 10);
    store.insert_task(&a, &late).await.unwrap();
    store.insert_task(&a, &early).await.unwrap();
    let listed: Vec<_> = store
        .list_tasks(&a, &c)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(listed, ["Early", "Late"]);
    assert!(store.list_tasks(&b, &c).await.unwrap().is_empty());
    assert!(store.get_task(&b, &c, &early.id).await.unwrap().is_none());
    assert!(matches!(
        store.insert_task(&b, &task(&c, "Foreign", 1)).await,
        Err(StoreError::NotFound)
    ));
    early.completed = true;
    early.assigned_to = Some(admin.clone());
    early.body = None;
    // Who changed it last is written; who added it stays.
    early.updated_by = Some(ChangedBy::User(admin));
    store.update_task(&a, &early).await.unwrap();
    assert_eq!(
        store.get_task(&a, &c, &early.id).await.unwrap(),
        Some(early.clone())
    );
    assert!(matches!(
        store.update_task(&b, &early).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_task(&b, &c, &early.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_task(&a, &c, &early.id).await.unwrap();
    store.delete_contact(&a, &c).await.unwrap();
    assert!(store.get_task(&a, &c, &late.id).await.unwrap().is_none());
}

fn field(location: &LocationId, key: &str, position: i64) -> CustomField {
    CustomField {
        id: CustomFieldId::generate(),
        location_id: location.clone(),
        model: "contact".into(),
        name: key.into(),
        field_key: format!("contact.{key}"),
        data_type: "SINGLE_OPTIONS".into(),
        placeholder: None,
        options: vec!["a".into(), "b".into()],
        position,
        date_added: T0,
    }
}

pub async fn custom_field_keys_are_unique_per_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let mut size = field(&a, "size", 2);
    store.insert_custom_field(&size).await.unwrap();
    store
        .insert_custom_field(&field(&a, "color", 1))
        .await
        .unwrap();
    assert!(matches!(
        store.insert_custom_field(&field(&a, "size", 0)).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .insert_custom_field(&field(&b, "size", 0))
        .await
        .unwrap();
    let keys: Vec<_> = store
        .list_custom_fields(&a, None)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.field_key)
        .collect();
    assert_eq!(keys, ["contact.color", "contact.size"]);
    assert!(
        store
            .list_custom_fields(&a, Some("opportunity"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .get_custom_field(&b, &size.id)
            .await
            .unwrap()
            .is_none()
    );
    size.name = "Shoe size".into();
    size.options = vec!["41".into()];
    store.update_custom_field(&size).await.unwrap();
    assert_eq!(
        store
            .find_custom_field_by_key(&a, "contact.size")
            .await
            .unwrap(),
        Some(size.clone())
    );
    assert!(matches!(
        store.delete_custom_field(&b, &size.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_custom_field(&a, &size.id).await.unwrap();
    assert!(
        store
            .get_custom_field(&a, &size.id)
            .await
            .unwrap()
            .is_none()
    );
}
