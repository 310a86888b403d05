//! Conformance cases for batched usage counters.

use ivorey_core::audit::AuditAction;
use ivorey_core::{Scope, Timestamp};

use super::fixtures::{T0, audit, new_integration, new_location};
use crate::{Store, UsageBatch, UsageCount, UsageRow};

pub async fn usage_counts_accumulate_and_skip_deleted_integrations(store: &dyn Store) {
    let (loc, _) = new_location(store, "U").await;
    let (kept, _) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let (gone, _) = new_integration(store, &loc, &[Scope::ContactsRead]).await;
    let entry = audit(&loc, Some(&gone), AuditAction::IntegrationDeleted, T0);
    store
        .delete_integration(&loc, &gone.id, &entry)
        .await
        .unwrap();
    let day = T0.day();
    let count = |id: &ivorey_core::IntegrationId, day, scope, count| UsageCount {
        integration_id: id.clone(),
        day,
        scope,
        count,
    };
    let batch = UsageBatch {
        counts: vec![
            count(&kept.id, day, Some(Scope::ContactsRead), 3),
            count(&kept.id, day, None, 1),
            count(&kept.id, day - 1, Some(Scope::ContactsRead), 2),
            count(&gone.id, day, Some(Scope::ContactsRead), 9),
        ],
        last_used: vec![
            (kept.id.clone(), Timestamp(T0.0 + 50)),
            (gone.id.clone(), T0),
        ],
    };
    store.record_usage(&batch).await.unwrap();
    let second = UsageBatch {
        counts: vec![count(&kept.id, day, Some(Scope::ContactsRead), 4)],
        // An older timestamp must not move last_used_at backwards.
        last_used: vec![(kept.id.clone(), Timestamp(T0.0 + 10))],
    };
    store.record_usage(&second).await.unwrap();
    let mut rows = store.usage(&loc, &kept.id, day - 1).await.unwrap();
    rows.sort_by(|a, b| (a.day, &a.scope).cmp(&(b.day, &b.scope)));
    let expected = vec![
        UsageRow {
            day: day - 1,
            scope: "contacts.readonly".into(),
            count: 2,
        },
        UsageRow {
            day,
            scope: String::new(),
            count: 1,
        },
        UsageRow {
            day,
            scope: "contacts.readonly".into(),
            count: 7,
        },
    ];
    assert_eq!(rows, expected);
    assert_eq!(store.usage(&loc, &kept.id, day).await.unwrap().len(), 2);
    let shown = store
        .get_integration(&loc, &kept.id, T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.last_used_at, Some(Timestamp(T0.0 + 50)));
    let (other, _) = new_location(store, "Other").await;
    assert!(
        store
            .usage(&other, &kept.id, day - 1)
            .await
            .unwrap()
            .is_empty()
    );
}
