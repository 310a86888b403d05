//! Pipelines and the Opportunities board walked in headless Chromium as a business would: the
//! owner makes a pipeline in Settings > Pipelines, adds a stage and moves it earlier; a tool's
//! deals appear on the board of the starter pipeline with each stage's count and value; the
//! owner moves a card with its form, opens it and marks it won; then records the payment of the
//! order a tool made for it, on the order's page in Payments. A screenshot per step in
//! `target/screenshots/deals-*.png`; each page passes the accessibility checks.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::Browser;
use crate::common::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_sets_up_a_pipeline_and_works_its_board() {
    let Some(mut browser) = Browser::start("deals").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Rosan Bakery").await;
    let scopes = [
        "contacts.write",
        "opportunities.readonly",
        "opportunities.write",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    let location = ivorey_core::LocationId::parse(&admin.location).unwrap();
    let starter = app.store.list_pipelines(&location).await.unwrap().remove(0);
    let deals = [
        ("Ada", "Wedding cake", 0, "1200"),
        ("Grace", "Office party", 0, "450.5"),
        ("Alan", "Weekly bread order", 1, "3200"),
        ("Katherine", "Birthday cupcakes", 2, "180"),
    ];
    let mut grace = String::new();
    for (name, deal, stage, value) in deals {
        let contact = app.contact(&token, &admin.location, name).await;
        if name == "Grace" {
            grace.clone_from(&contact);
        }
        let body = json!({
            "locationId": admin.location, "pipelineId": starter.id,
            "pipelineStageId": starter.stages[stage].id, "contactId": contact,
            "name": deal, "status": "open", "monetaryValue": value.parse::<f64>().unwrap(),
        });
        let (status, body) = app
            .api(&token, Method::POST, "/opportunities/", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app.clock.advance(std::time::Duration::from_secs(60));
    }

    browser.sign_in(&app, &admin.email, PASSWORD).await;
    browser
        .goto(&app.url(&format!("/l/{}/settings/pipelines", admin.location)))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("New Lead → Contacted → Proposal Sent → Closed")
    );
    browser.shot("pipelines").await;
    browser.check_accessibility("pipelines").await;

    // A new pipeline, one stage per line; then a stage added and moved one place earlier.
    browser.fill("#f-name", "Wholesale").await;
    browser
        .fill("#f-stages", "Enquiry\nTasting\nContract")
        .await;
    browser
        .click_to_load("#new-title + form button[type=submit]")
        .await;
    assert!(browser.source().await.contains("The pipeline was created"));
    browser.fill("#f-stageName", "Samples sent").await;
    browser
        .click_to_load("#add-stage button[type=submit]")
        .await;
    let page = browser.source().await;
    assert!(page.contains("The stage was added at the end"), "{page}");
    browser
        .click_to_load(".stage-item:last-child button[title='Move earlier']")
        .await;
    let names = browser.text("ol.stage-list").await;
    let at = |name: &str| {
        names
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {names}"))
    };
    assert!(
        at("Enquiry") < at("Tasting") && at("Tasting") < at("Samples sent"),
        "{names}"
    );
    assert!(
        at("Samples sent") < at("Contract"),
        "moved earlier: {names}"
    );
    browser.shot("pipeline-edit").await;
    browser.check_accessibility("pipeline-edit").await;

    // The board of the starter pipeline: columns with counts and values, the tool's deals.
    browser
        .goto(&app.url(&format!(
            "/l/{}/opportunities?pipeline={}",
            admin.location, starter.id
        )))
        .await;
    let board = browser.source().await;
    assert!(
        board.contains("Wedding cake") && board.contains("1,650.50"),
        "{board}"
    );
    browser.shot("board").await;
    browser.check_accessibility("board").await;

    // Move "Office party" to Proposal Sent with its card's form.
    let office = board
        .split("<li class=\"board-card\"")
        .find(|c| c.contains("Office party"))
        .and_then(|c| c.split("id=\"card-").nth(1))
        .and_then(|c| c.split('"').next())
        .expect("the card of Office party")
        .to_owned();
    let proposal = starter.stages[2].id.to_string();
    let select = format!("#move-{office}");
    browser
        .find(&select)
        .await
        .select_by_value(&proposal)
        .await
        .expect("choose a stage");
    browser
        .click_to_load(&format!("#card-{office} form.board-move button"))
        .await;
    let column = browser
        .text(&format!("section[data-stage='{proposal}']"))
        .await;
    assert!(column.contains("Office party"), "{column}");
    assert!(browser.source().await.contains("The opportunity was moved"));
    browser.shot("board-moved").await;

    // Open it and mark it won.
    browser.follow_link("Office party").await;
    browser
        .click_to_load("form input[value=won] + button")
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("The status was changed") && page.contains("badge-ok"),
        "{page}"
    );
    browser.shot("deal-won").await;
    browser.check_accessibility("deal-won").await;

    // The won deal's order, made by a tool, is paid at the counter: recorded on its page.
    let path = format!("/manage/locations/{}/orders", admin.location);
    let order = json!({ "contactId": grace, "currency": "USD",
        "items": [{ "name": "Office party cake", "quantity": 1, "unitPrice": 45_050 }] });
    let (status, body) = app
        .manage(&admin.session, Method::POST, &path, Some(order))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    browser.follow_link("Payments").await;
    browser.shot("payments").await;
    browser.check_accessibility("payments").await;
    browser.click_to_load("table.list a.row-link").await;
    browser
        .find("#f-mode")
        .await
        .select_by_value("cash")
        .await
        .expect("cash");
    browser.fill("#f-notes", "Paid at the counter").await;
    browser
        .click_to_load("#pay-title + form button.primary")
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("The payment was recorded") && page.contains("This order is paid in full"),
        "{page}"
    );
    browser.shot("order-paid").await;
    browser.check_accessibility("order-paid").await;
    browser.follow_link("Payments").await;
    browser.follow_link("Transactions").await;
    assert!(browser.source().await.contains("Paid at the counter"));
    browser.check_accessibility("transactions").await;
    browser
        .goto(&app.url(&format!("/l/{}/opportunities/list", admin.location)))
        .await;
    assert!(browser.source().await.contains("Wedding cake"));
    browser.shot("list").await;
    browser.check_accessibility("list").await;
    browser.close().await;
    app.stop().await;
}
