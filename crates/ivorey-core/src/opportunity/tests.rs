//! Unit tests of opportunity validation and changes.

use super::*;

const T: Timestamp = Timestamp(1_000);

fn by() -> ChangedBy {
    ChangedBy::User(crate::UserId::generate())
}

fn pipeline(loc: &LocationId) -> Pipeline {
    Pipeline::new(loc, "Sales", &["Lead", "Proposal", "Closed"], T).unwrap()
}

fn input(pipeline: &Pipeline, contact: &ContactId) -> OpportunityInput {
    OpportunityInput {
        pipeline_id: Some(pipeline.id.to_string()),
        contact_id: Some(contact.to_string()),
        name: Some(" Big deal ".into()),
        status: Some("open".into()),
        monetary_value: Some(Some("1250.5".into())),
        ..Default::default()
    }
}

const CREATE: &[&str] = &["pipelineId", "contactId", "name", "status"];

fn fields(e: &ValidationErrors) -> Vec<&'static str> {
    e.0.iter().map(|e| e.field).collect()
}

#[test]
fn a_new_opportunity_starts_in_the_first_stage() {
    let loc = LocationId::generate();
    let p = pipeline(&loc);
    let contact = ContactId::generate();
    let change = input(&p, &contact).validate(CREATE).unwrap();
    let o = change.create(&loc, Some(&p), true, T, &by()).unwrap();
    assert_eq!(o.name, "Big deal");
    assert_eq!(o.stage_id, p.stages[0].id);
    assert_eq!(o.monetary_value.minor(), 125_050);
    assert_eq!(o.to_json()["monetaryValue"], serde_json::json!(1250.5));
    assert!(o.to_json().get("assignedTo").is_none(), "absent, not null");
}

#[test]
fn missing_and_malformed_fields_are_named() {
    let bad = OpportunityInput {
        pipeline_id: Some("short".into()),
        status: Some("all".into()),
        monetary_value: Some(Some("0.125".into())),
        ..Default::default()
    };
    let err = bad.validate(CREATE).unwrap_err();
    assert_eq!(
        fields(&err),
        ["contactId", "name", "status", "monetaryValue", "pipelineId"]
    );
}

#[test]
fn unknown_references_are_reported_together() {
    let loc = LocationId::generate();
    let p = pipeline(&loc);
    let mut raw = input(&p, &ContactId::generate());
    raw.pipeline_stage_id = Some(StageId::generate().to_string());
    let change = raw.validate(CREATE).unwrap();
    let err = change
        .clone()
        .create(&loc, Some(&p), false, T, &by())
        .unwrap_err();
    assert_eq!(fields(&err), ["contactId", "pipelineStageId"]);
    let err = change.create(&loc, None, true, T, &by()).unwrap_err();
    assert_eq!(fields(&err), ["pipelineId"]);
}

#[test]
fn changes_move_stages_and_stamp_the_times_they_changed() {
    let loc = LocationId::generate();
    let p = pipeline(&loc);
    let contact = ContactId::generate();
    let o = input(&p, &contact)
        .validate(CREATE)
        .unwrap()
        .create(&loc, Some(&p), true, T, &by())
        .unwrap();
    let later = Timestamp(2_000);
    let moved = OpportunityInput {
        pipeline_stage_id: Some(p.stages[2].id.to_string()),
        ..Default::default()
    };
    let o = moved
        .validate(&[])
        .unwrap()
        .apply_to(o, Some(&p), later, &by())
        .unwrap();
    assert_eq!(
        (o.stage_id.clone(), o.last_stage_change_at),
        (p.stages[2].id.clone(), later)
    );
    assert_eq!(o.last_status_change_at, T, "status unchanged");
    let lost = OpportunityInput {
        status: Some("lost".into()),
        lost_reason_id: Some(Some("too-expensive".into())),
        monetary_value: Some(None),
        ..Default::default()
    };
    let o = lost
        .validate(&[])
        .unwrap()
        .apply_to(o, Some(&p), Timestamp(3_000), &by())
        .unwrap();
    assert_eq!(o.status, OpportunityStatus::Lost);
    assert_eq!(o.last_status_change_at, Timestamp(3_000));
    assert_eq!(o.lost_reason_id.as_deref(), Some("too-expensive"));
    assert_eq!(o.monetary_value.minor(), 0, "null resets the value");
    let reopened = OpportunityInput {
        status: Some("open".into()),
        ..Default::default()
    };
    let o = reopened
        .validate(&[])
        .unwrap()
        .apply_to(o, Some(&p), Timestamp(4_000), &by())
        .unwrap();
    assert_eq!(o.lost_reason_id, None, "an open deal has no lost reason");
}

#[test]
fn moving_to_another_pipeline_lands_in_its_first_stage_unless_told() {
    let loc = LocationId::generate();
    let (p, q) = (pipeline(&loc), pipeline(&loc));
    let o = input(&p, &ContactId::generate())
        .validate(CREATE)
        .unwrap()
        .create(&loc, Some(&p), true, T, &by())
        .unwrap();
    let to_q = OpportunityInput {
        pipeline_id: Some(q.id.to_string()),
        ..Default::default()
    };
    let moved = to_q
        .validate(&[])
        .unwrap()
        .apply_to(o.clone(), Some(&q), T, &by())
        .unwrap();
    assert_eq!(
        (moved.pipeline_id, moved.stage_id),
        (q.id.clone(), q.stages[0].id.clone())
    );
    // A stage of the old pipeline is not a stage of the new one.
    let wrong = OpportunityInput {
        pipeline_id: Some(q.id.to_string()),
        pipeline_stage_id: Some(p.stages[1].id.to_string()),
        ..Default::default()
    };
    let err = wrong
        .validate(&[])
        .unwrap()
        .apply_to(o, Some(&q), T, &by())
        .unwrap_err();
    assert_eq!(fields(&err), ["pipelineStageId"]);
}
