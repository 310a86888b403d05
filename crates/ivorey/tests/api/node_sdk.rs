//! The official HighLevel Node SDK (`@gohighlevel/api-client`, pinned in `compat/node-sdk/`)
//! drives Ivorey, on both backends: `compat/node-sdk/compat.mjs` creates, reads, updates and
//! deletes contacts, moves an opportunity between the stages of a new location's starter
//! pipeline (nobody set one up) and marks it won, lists users and gets a missing scope
//! refused, with only the base URL and token changed; then it searches contacts, sends an SMS and
//! an Email, books a free calendar slot and lists form submissions. This test prepares the
//! location (messaging providers that are local receivers, a form with a submission), runs the
//! script, requires every step to report ok, checks every answer the SDK received against
//! HighLevel's schema, and then confirms through the API and the receivers that the changes
//! really happened (the SMS and Email were delivered, the slot is taken).
//!
//! Without Node.js and npm (or without the package and no registry) the test passes as skipped,
//! except in CI (`CI` set).

mod areas;
mod support;

use ivorey_core::opportunity::Pipeline;
use ivorey_core::{Clock, LocationId};
use reqwest::{Method, StatusCode};
use support::{Run, check_exchange, run, sdk_dir};

use crate::common::{Admin, TestApp};
use crate::spec;

/// Areas beyond the core ones whose SDK steps run. The environment variable
/// `IVOREY_COMPAT_AREAS` (comma-separated) replaces this list, to try one early or run a few.
const AREAS: &[&str] = &[
    "contacts-search",
    "conversations",
    "calendars",
    "forms",
    "payments",
];

/// Steps the script always runs, in order.
const CORE_STEPS: &[&str] = &[
    "contact.create",
    "contact.get",
    "contact.update",
    "contact.delete",
    "pipelines.list",
    "opportunity.create",
    "opportunity.move",
    "opportunity.status",
    "users.list",
    "scope.refused",
    "done",
];

/// The steps an optional area adds.
fn area_steps(area: &str) -> &'static [&'static str] {
    match area {
        "contacts-search" => &["contact.search"],
        "conversations" => &["conversations.sms", "conversations.email"],
        "calendars" => &["calendars.slots", "calendars.book"],
        "forms" => &["forms.submissions"],
        "payments" => &["payments.orders"],
        other => panic!("unknown compatibility area {other:?}"),
    }
}

/// Every scope any step uses; the narrow token has only `contacts.readonly`.
const SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "opportunities.readonly",
    "opportunities.write",
    "users.readonly",
    "conversations.readonly",
    "conversations.write",
    "conversations/message.readonly",
    "conversations/message.write",
    "calendars.readonly",
    "calendars.write",
    "calendars/events.readonly",
    "calendars/events.write",
    "forms.readonly",
    "payments/orders.readonly",
];

on_both_backends!(the_official_node_sdk_drives_the_api);

async fn the_official_node_sdk_drives_the_api(app: TestApp) {
    let Some(dir) = sdk_dir() else {
        return;
    };
    let admin = app.new_admin("SDK Compat").await;
    let (_, token) = app.integration(&admin, SCOPES).await;
    let (_, narrow) = app.integration(&admin, &["contacts.readonly"]).await;
    let location = LocationId::parse(&admin.location).expect("location id");
    // The fresh location's own pipeline: the SDK must work without anyone setting one up.
    let mut pipelines = app
        .store
        .list_pipelines(&location)
        .await
        .expect("pipelines");
    assert_eq!(
        pipelines.len(),
        1,
        "a new location has its starter pipeline"
    );
    let pipeline = pipelines.remove(0);
    assert_eq!(pipeline.name, ivorey_core::opportunity::STARTER_NAME);
    let areas = enabled_areas();
    let mut prepared = areas::prepare(&app, &admin, &areas).await;
    let (order, buyer) = order_for_the_sdk(&app, &location).await;
    let mut env = vec![
        ("BASE_URL", app.base.clone()),
        ("TOKEN", token.clone()),
        ("NARROW_TOKEN", narrow),
        ("LOCATION_ID", admin.location.clone()),
        ("PIPELINE_ID", pipeline.id.to_string()),
        ("IVOREY_COMPAT_AREAS", areas.join(",")),
    ];
    env.append(&mut prepared.env);
    let run = run(&dir, &env).await;

    let expected: Vec<&str> = CORE_STEPS
        .iter()
        .copied()
        .chain(areas.iter().flat_map(|a| area_steps(a).iter().copied()))
        .collect();
    for name in &expected {
        let line = run.step(name);
        assert_eq!(line["ok"], true, "step {name}: {line}");
    }
    let ran: Vec<&str> = run
        .steps
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(ran.len(), expected.len(), "steps run: {ran:?}");
    // At least one call per step (the final "done" makes none), each in HighLevel's shape.
    assert!(
        run.exchanges.len() >= expected.len() - 1,
        "{}",
        run.transcript
    );
    run.exchanges.iter().for_each(check_exchange);

    let mut others = areas::confirm(&app, &token, &mut prepared, &run).await;
    others.push(buyer);
    confirm_changes(&app, &admin, &token, &pipeline, &run, &others).await;
    if areas.iter().any(|a| a == "payments") {
        let listed = run.step("payments.orders");
        assert_eq!(
            listed["totalCount"], 1,
            "listOrders found the order {order}: {listed}"
        );
    }
    app.stop().await;
}

/// What the SDK reported doing is really so, read back through the API. `others` are the
/// contacts made beforehand (a form's submitter, the payments step's buyer).
async fn confirm_changes(
    app: &TestApp,
    admin: &Admin,
    token: &str,
    pipeline: &Pipeline,
    run: &Run,
    others: &[String],
) {
    let deleted = run.id("contact.delete", "contactId");
    let (status, body) = app
        .api(token, Method::GET, &format!("/contacts/{deleted}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the SDK deleted it: {body}");

    let contact = run.id("contact.create", "contactId");
    let (status, body) = app
        .api(token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check(
        "contacts.json",
        &Method::GET,
        "/contacts/{contactId}",
        status,
        &body,
    );
    assert_eq!(
        body["contact"]["lastName"],
        run.step("contact.update")["lastName"]
    );
    assert_eq!(body["contact"]["companyName"], "Analytical Engines");
    assert_eq!(body["contact"]["firstName"], "Ada");

    let opportunity = run.id("opportunity.move", "opportunityId");
    let path = format!("/opportunities/{opportunity}");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check(
        "opportunities.json",
        &Method::GET,
        "/opportunities/{id}",
        status,
        &body,
    );
    let moved = &body["opportunity"];
    assert_eq!(moved["pipelineStageId"], pipeline.stages[1].id.to_string());
    assert_eq!(moved["status"], "won", "updateOpportunityStatus won it");
    assert_eq!(moved["contactId"], contact.as_str());
    assert_eq!(moved["monetaryValue"], 1250.5);

    // The narrow token's refused write left nothing behind: only Ada (and `others`) remain.
    let path = format!("/contacts/?locationId={}", admin.location);
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check("contacts.json", &Method::GET, "/contacts/", status, &body);
    let mut ids: Vec<&str> = body["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    ids.sort_unstable();
    let mut expected: Vec<&str> = others.iter().map(String::as_str).collect();
    expected.push(&contact);
    expected.sort_unstable();
    assert_eq!(ids, expected, "{body}");
}

/// The enabled optional areas: `IVOREY_COMPAT_AREAS` when set, else `AREAS`.
fn enabled_areas() -> Vec<String> {
    let areas: Vec<String> = match std::env::var("IVOREY_COMPAT_AREAS") {
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => AREAS.iter().map(|a| (*a).to_owned()).collect(),
    };
    for area in &areas {
        area_steps(area); // refuses a misspelt area before anything runs
    }
    areas
}

/// An order of a contact of the location, made through the app service as an admin would, so
/// the SDK's `listOrders` has one to find; returns the order's and the contact's ids.
async fn order_for_the_sdk(app: &TestApp, location: &LocationId) -> (String, String) {
    use ivorey_core::contact::{Contact, ContactFields};
    let contact = Contact {
        created_by: None,
        updated_by: None,
        id: ivorey_core::ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some("Grace".into()),
            ..Default::default()
        },
        date_added: app.clock.now(),
        date_updated: app.clock.now(),
    };
    app.store.insert_contact(&contact).await.expect("contact");
    let input = serde_json::from_value(serde_json::json!({
        "contactId": contact.id.as_str(),
        "currency": "USD",
        "items": [{"name": "Compiler", "quantity": 1, "unitPrice": 4200}],
    }))
    .expect("order input");
    let order =
        ivorey_app::payments::create_order(app.store.as_ref(), app.clock.now(), location, input)
            .await
            .expect("create order");
    (order.id.to_string(), contact.id.to_string())
}
