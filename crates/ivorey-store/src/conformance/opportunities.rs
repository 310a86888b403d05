//! Conformance cases for pipelines and opportunities.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::{
    ContactId, IntegrationId, LocationId, OpportunityId, StageId, Timestamp, UserId,
};

use super::fixtures::{T0, new_location};
use crate::{OpportunityQuery, Store, StoreError};

pub(super) async fn contact(store: &dyn Store, location: &LocationId, name: &str) -> ContactId {
    let c = Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            name: Some(name.into()),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
    };
    store.insert_contact(&c).await.expect("insert contact");
    c.id
}

pub(super) async fn pipeline(
    store: &dyn Store,
    location: &LocationId,
    name: &str,
    at: i64,
) -> Pipeline {
    let stages = ["Lead", "Qualified", "Proposal", "Closed"];
    let p = Pipeline::new(location, name, &stages, Timestamp(T0.0 + at)).unwrap();
    store.create_pipeline(&p).await.expect("create pipeline");
    p
}

pub(super) fn opportunity(
    p: &Pipeline,
    contact: &ContactId,
    name: &str,
    at: Timestamp,
) -> Opportunity {
    Opportunity {
        id: OpportunityId::generate(),
        location_id: p.location_id.clone(),
        pipeline_id: p.id.clone(),
        stage_id: p.stages[0].id.clone(),
        contact_id: contact.clone(),
        name: name.into(),
        status: OpportunityStatus::Open,
        monetary_value: MonetaryValue::from_minor(123_456_789_012_345).unwrap(),
        assigned_to: Some("user-1".into()),
        source: None,
        lost_reason_id: None,
        created_at: at,
        updated_at: at,
        last_status_change_at: at,
        last_stage_change_at: at,
        created_by: Some(ChangedBy::Integration(IntegrationId::generate())),
        updated_by: Some(ChangedBy::User(UserId::generate())),
    }
}

pub async fn pipelines_are_listed_per_location_with_stages_in_order(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let second = pipeline(store, &a, "Renewals", 2).await;
    let first = pipeline(store, &a, "Sales", 1).await;
    let theirs = pipeline(store, &b, "Theirs", 0).await;
    assert_eq!(
        store.list_pipelines(&a).await.unwrap(),
        [first.clone(), second]
    );
    assert_eq!(
        store.list_pipelines(&b).await.unwrap(),
        std::slice::from_ref(&theirs)
    );
    assert_eq!(
        store.get_pipeline(&a, &first.id).await.unwrap(),
        Some(first)
    );
    assert_eq!(store.get_pipeline(&a, &theirs.id).await.unwrap(), None);
}

pub async fn opportunities_round_trip_within_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let p = pipeline(store, &a, "Sales", 0).await;
    let c = contact(store, &a, "Ada").await;
    let mut o = opportunity(&p, &c, "Deal", T0);
    store.insert_opportunity(&o).await.unwrap();
    assert_eq!(
        store.get_opportunity(&a, &o.id).await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(store.get_opportunity(&b, &o.id).await.unwrap(), None);
    assert_eq!(
        store.find_opportunity(&a, &c, &p.id).await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(store.find_opportunity(&b, &c, &p.id).await.unwrap(), None);
    o.stage_id = p.stages[2].id.clone();
    o.status = OpportunityStatus::Lost;
    o.lost_reason_id = Some("price".into());
    o.monetary_value = MonetaryValue::from_minor(1).unwrap();
    o.source = Some("web".into());
    o.updated_at = Timestamp(T0.0 + 5);
    o.updated_by = Some(ChangedBy::Integration(IntegrationId::generate()));
    store.update_opportunity(&o).await.unwrap();
    assert_eq!(
        store.get_opportunity(&a, &o.id).await.unwrap(),
        Some(o.clone())
    );
    let foreign = Opportunity {
        location_id: b.clone(),
        ..o.clone()
    };
    let refused = store.update_opportunity(&foreign).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let refused = store.delete_opportunity(&b, &o.id).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    store.delete_opportunity(&a, &o.id).await.unwrap();
    assert_eq!(store.get_opportunity(&a, &o.id).await.unwrap(), None);
    let again = store.delete_opportunity(&a, &o.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

pub async fn opportunity_references_stay_in_the_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let p = pipeline(store, &a, "Sales", 0).await;
    let q = pipeline(store, &a, "Other", 1).await;
    let b_pipeline = pipeline(store, &b, "Theirs", 0).await;
    let c = contact(store, &a, "Ada").await;
    let b_contact = contact(store, &b, "Bob").await;
    let bad = [
        (
            "another location's contact",
            opportunity(&p, &b_contact, "x", T0),
        ),
        (
            "a contact that does not exist",
            opportunity(&p, &ContactId::generate(), "x", T0),
        ),
        (
            "another location's pipeline",
            Opportunity {
                location_id: a.clone(),
                ..opportunity(&b_pipeline, &c, "x", T0)
            },
        ),
        (
            "another pipeline's stage",
            Opportunity {
                stage_id: q.stages[1].id.clone(),
                ..opportunity(&p, &c, "x", T0)
            },
        ),
        (
            "a stage that does not exist",
            Opportunity {
                stage_id: StageId::generate(),
                ..opportunity(&p, &c, "x", T0)
            },
        ),
    ];
    for (what, o) in &bad {
        let refused = store.insert_opportunity(o).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound)),
            "{what}: {refused:?}"
        );
    }
    let page = store.search_opportunities(&a, &all()).await.unwrap();
    assert_eq!(page.total, 0, "nothing was stored");
    let o = opportunity(&p, &c, "Deal", T0);
    store.insert_opportunity(&o).await.unwrap();
    // One opportunity per contact and pipeline: the upsert key.
    let twin = store
        .insert_opportunity(&opportunity(&p, &c, "Twin", T0))
        .await;
    assert!(matches!(twin, Err(StoreError::Conflict(_))), "{twin:?}");
    let (_, moved_to_foreign_stage) = &bad[3];
    let moved = Opportunity {
        id: o.id.clone(),
        ..moved_to_foreign_stage.clone()
    };
    let refused = store.update_opportunity(&moved).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(
        store.get_opportunity(&a, &o.id).await.unwrap(),
        Some(o.clone())
    );
    // Deleting the contact deletes its opportunities.
    store.delete_contact(&a, &c).await.unwrap();
    assert_eq!(store.get_opportunity(&a, &o.id).await.unwrap(), None);
}

fn all() -> OpportunityQuery {
    OpportunityQuery {
        limit: 100,
        ..Default::default()
    }
}

pub async fn opportunity_pages_follow_the_keyset_without_gaps_or_repeats(store: &dyn Store) {
    let (loc, _) = new_location(store, "P").await;
    let (other, _) = new_location(store, "Q").await;
    let p = pipeline(store, &loc, "Sales", 0).await;
    let noise = pipeline(store, &other, "Noise", 0).await;
    let mut expected = Vec::new();
    for i in 0..25 {
        // Several share a timestamp, so the id must break ties.
        let c = contact(store, &loc, &format!("c{i}")).await;
        let o = opportunity(&p, &c, &format!("o{i}"), Timestamp(T0.0 + i / 3));
        store.insert_opportunity(&o).await.unwrap();
        expected.push((o.created_at, o.id.to_string()));
        let n = contact(store, &other, "noise").await;
        store
            .insert_opportunity(&opportunity(&noise, &n, "n", T0))
            .await
            .unwrap();
    }
    expected.sort();
    let mut query = OpportunityQuery {
        limit: 10,
        ..Default::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.search_opportunities(&loc, &query).await.unwrap();
        assert_eq!(page.total, 25);
        assert!(page.opportunities.iter().all(|o| o.location_id == loc));
        let Some(last) = page.opportunities.last() else {
            break;
        };
        query.after = Some((last.created_at, last.id.to_string()));
        seen.extend(
            page.opportunities
                .iter()
                .map(|o| (o.created_at, o.id.to_string())),
        );
    }
    assert_eq!(seen, expected);
    // Offsets (page numbers) walk the same order.
    let third_page = OpportunityQuery {
        limit: 10,
        offset: 20,
        ..Default::default()
    };
    let page = store.search_opportunities(&loc, &third_page).await.unwrap();
    let ids: Vec<_> = page
        .opportunities
        .iter()
        .map(|o| (o.created_at, o.id.to_string()))
        .collect();
    assert_eq!(ids, expected[20..]);
}

pub async fn opportunity_filters_each_narrow_the_search(store: &dyn Store) {
    let (loc, _) = new_location(store, "F").await;
    let (p, q) = (
        pipeline(store, &loc, "P", 0).await,
        pipeline(store, &loc, "Q", 1).await,
    );
    let (ada, bob) = (
        contact(store, &loc, "Ada").await,
        contact(store, &loc, "Bob").await,
    );
    let mut won = opportunity(&q, &ada, "Big 100% Deal", T0);
    won.status = OpportunityStatus::Won;
    won.stage_id = q.stages[3].id.clone();
    won.assigned_to = Some("user-2".into());
    let open_ada = opportunity(&p, &ada, "Small deal", T0);
    let open_bob = opportunity(&p, &bob, "Other thing", T0);
    for o in [&won, &open_ada, &open_bob] {
        store.insert_opportunity(o).await.unwrap();
    }
    let loc = &loc;
    let names = |query: OpportunityQuery| async move {
        let page = store.search_opportunities(loc, &query).await.unwrap();
        let mut names: Vec<String> = page.opportunities.into_iter().map(|o| o.name).collect();
        assert_eq!(page.total, names.len() as u64);
        names.sort();
        names
    };
    let by = |f: fn(&mut OpportunityQuery)| {
        let mut query = all();
        f(&mut query);
        query
    };
    assert_eq!(names(all()).await.len(), 3);
    let pipeline_q = OpportunityQuery {
        pipeline_id: Some(q.id.clone()),
        ..all()
    };
    assert_eq!(names(pipeline_q).await, ["Big 100% Deal"]);
    let stage = OpportunityQuery {
        stage_id: Some(p.stages[0].id.clone()),
        ..all()
    };
    assert_eq!(names(stage).await, ["Other thing", "Small deal"]);
    let of_ada = OpportunityQuery {
        contact_id: Some(ada.clone()),
        ..all()
    };
    assert_eq!(names(of_ada).await, ["Big 100% Deal", "Small deal"]);
    let open = by(|q| q.status = Some(OpportunityStatus::Open));
    assert_eq!(names(open).await, ["Other thing", "Small deal"]);
    let assigned = by(|q| q.assigned_to = Some("user-2".into()));
    assert_eq!(names(assigned).await, ["Big 100% Deal"]);
    let text = by(|q| q.query = Some("DEAL".into()));
    assert_eq!(names(text).await, ["Big 100% Deal", "Small deal"]);
    // LIKE wildcards in the query are literal characters, not patterns.
    assert_eq!(
        names(by(|q| q.query = Some("100%".into()))).await,
        ["Big 100% Deal"]
    );
    assert!(names(by(|q| q.query = Some("_".into()))).await.is_empty());
    let lost = by(|q| q.status = Some(OpportunityStatus::Lost));
    assert!(names(lost).await.is_empty());
}
