//! Conformance cases for editing pipelines (stages renamed, reordered, added, deleted with
//! their opportunities moved) and for what a board reads (a column's cards, stage totals).

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{MonetaryValue, OpportunityStatus};
use ivorey_core::{StageId, Timestamp, UserId};

use super::fixtures::{T0, new_location};
use super::opportunities::{contact, opportunity, pipeline};
use crate::{BoardQuery, PIPELINE_IN_USE, STAGE_IN_USE, StageTotal, Store, StoreError};

fn by() -> ChangedBy {
    ChangedBy::User(UserId::generate())
}

pub async fn pipeline_edits_are_saved_in_order_and_stay_in_the_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let mut p = pipeline(store, &a, "Sales", 0).await;
    let theirs = pipeline(store, &b, "Theirs", 0).await;
    let at = Timestamp(T0.0 + 10);
    p.rename("Deals", at).unwrap();
    let won = p.add_stage("Won", at).unwrap();
    p.move_stage(&won, true, at).unwrap();
    let lead = p.stages[0].id.clone();
    p.rename_stage(&lead, "New lead", at).unwrap();
    let qualified = p.stages[1].id.clone();
    p.remove_stage(&qualified, at).unwrap();
    store.update_pipeline(&p, &[], &by()).await.unwrap();
    let stored = store.get_pipeline(&a, &p.id).await.unwrap().unwrap();
    assert_eq!(stored, p, "name, order, new and removed stages as edited");
    let names: Vec<&str> = stored.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["New lead", "Proposal", "Won", "Closed"]);
    // Saved as another location's pipeline: not found, nothing changed.
    let mut stolen = p.clone();
    stolen.location_id = b.clone();
    stolen.name = "Stolen".into();
    let refused = store.update_pipeline(&stolen, &[], &by()).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    // A stage id of another pipeline is not taken over.
    let mut grab = p.clone();
    grab.stages[0].id = theirs.stages[0].id.clone();
    let refused = store.update_pipeline(&grab, &[], &by()).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(store.get_pipeline(&a, &p.id).await.unwrap(), Some(p));
    assert_eq!(
        store.get_pipeline(&b, &theirs.id).await.unwrap(),
        Some(theirs)
    );
}

pub async fn a_stage_with_opportunities_is_deleted_only_by_moving_them(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let p = pipeline(store, &a, "Sales", 0).await;
    let ada = contact(store, &a, "Ada").await;
    let deal = opportunity(&p, &ada, "Deal", T0);
    store.insert_opportunity(&deal).await.unwrap();
    let first = p.stages[0].id.clone();
    let mut without_first = p.clone();
    without_first
        .remove_stage(&first, Timestamp(T0.0 + 5))
        .unwrap();
    let refused = store.update_pipeline(&without_first, &[], &by()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(STAGE_IN_USE))),
        "{refused:?}"
    );
    assert_eq!(
        store.get_pipeline(&a, &p.id).await.unwrap(),
        Some(p.clone())
    );
    let to = p.stages[2].id.clone();
    let mover = by();
    let moves = [(first.clone(), to.clone())];
    store
        .update_pipeline(&without_first, &moves, &mover)
        .await
        .unwrap();
    let moved = store.get_opportunity(&a, &deal.id).await.unwrap().unwrap();
    assert_eq!(moved.stage_id, to);
    assert_eq!(moved.last_stage_change_at, without_first.updated_at);
    assert_eq!(moved.updated_by, Some(mover));
    let stored = store.get_pipeline(&a, &p.id).await.unwrap().unwrap();
    assert_eq!(stored.stages.len(), 3);
    assert!(stored.stage(&first).is_none());
    // A move to a stage outside the pipeline is refused, and the transaction undone.
    let mut again = stored.clone();
    again.remove_stage(&to, Timestamp(T0.0 + 9)).unwrap();
    let refused = store
        .update_pipeline(&again, &[(to.clone(), StageId::generate())], &by())
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(store.get_pipeline(&a, &p.id).await.unwrap(), Some(stored));
    assert_eq!(
        store.get_opportunity(&a, &deal.id).await.unwrap(),
        Some(moved)
    );
}

pub async fn a_pipeline_is_deleted_only_when_empty(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let p = pipeline(store, &a, "Sales", 0).await;
    let ada = contact(store, &a, "Ada").await;
    let deal = opportunity(&p, &ada, "Deal", T0);
    store.insert_opportunity(&deal).await.unwrap();
    let refused = store.delete_pipeline(&a, &p.id).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(PIPELINE_IN_USE))),
        "{refused:?}"
    );
    let refused = store.delete_pipeline(&b, &p.id).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    store.delete_opportunity(&a, &deal.id).await.unwrap();
    store.delete_pipeline(&a, &p.id).await.unwrap();
    assert_eq!(store.get_pipeline(&a, &p.id).await.unwrap(), None);
}

pub async fn a_board_pages_each_stage_newest_arrival_first_with_totals(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let p = pipeline(store, &a, "Sales", 0).await;
    let theirs = pipeline(store, &b, "Theirs", 0).await;
    for n in 0..5_i64 {
        let c = contact(store, &a, &format!("Person {n}")).await;
        let mut o = opportunity(&p, &c, &format!("Deal {n}"), Timestamp(T0.0 + n));
        o.monetary_value = MonetaryValue::from_minor(100 * (n + 1)).unwrap();
        if n == 4 {
            o.status = OpportunityStatus::Won;
        }
        if n == 2 {
            o.stage_id = p.stages[1].id.clone();
        }
        store.insert_opportunity(&o).await.unwrap();
    }
    let their_contact = contact(store, &b, "Stranger").await;
    let stranger = opportunity(&theirs, &their_contact, "Theirs", T0);
    store.insert_opportunity(&stranger).await.unwrap();
    let first = BoardQuery {
        pipeline_id: p.id.clone(),
        stage_id: p.stages[0].id.clone(),
        status: None,
        after: None,
        limit: 2,
    };
    let page = store.board_column(&a, &first).await.unwrap();
    let names: Vec<(&str, &str)> = page
        .iter()
        .map(|c| (c.opportunity.name.as_str(), c.contact_name.as_str()))
        .collect();
    assert_eq!(names, [("Deal 4", "Person 4"), ("Deal 3", "Person 3")]);
    let last = &page[1].opportunity;
    let next = BoardQuery {
        after: Some((last.last_stage_change_at, last.id.clone())),
        ..first.clone()
    };
    let page: Vec<_> = store.board_column(&a, &next).await.unwrap();
    let names: Vec<&str> = page.iter().map(|c| c.opportunity.name.as_str()).collect();
    assert_eq!(
        names,
        ["Deal 1", "Deal 0"],
        "after the cursor, the stage's rest"
    );
    let open = BoardQuery {
        status: Some(OpportunityStatus::Open),
        limit: 10,
        ..first.clone()
    };
    let page = store.board_column(&a, &open).await.unwrap();
    assert_eq!(page.len(), 3, "the won deal is left out");
    let theirs_query = BoardQuery {
        pipeline_id: theirs.id.clone(),
        stage_id: theirs.stages[0].id.clone(),
        ..open.clone()
    };
    assert!(
        store
            .board_column(&a, &theirs_query)
            .await
            .unwrap()
            .is_empty()
    );
    let mut totals = store.stage_totals(&a, &p.id, None).await.unwrap();
    totals.sort_by_key(|t| t.count);
    let expected = [
        StageTotal {
            stage_id: p.stages[1].id.clone(),
            count: 1,
            value_minor: 300,
        },
        StageTotal {
            stage_id: p.stages[0].id.clone(),
            count: 4,
            value_minor: 100 + 200 + 400 + 500,
        },
    ];
    assert_eq!(totals, expected);
    let won = store
        .stage_totals(&a, &p.id, Some(OpportunityStatus::Won))
        .await
        .unwrap();
    assert_eq!(won.len(), 1);
    assert_eq!((won[0].count, won[0].value_minor), (1, 500));
    assert!(
        store
            .stage_totals(&b, &p.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}
