//! The Opportunities board and pages through their forms, on both backends: a deal made in the
//! app for a contact found by name lands in the first stage; the board shows it with each
//! stage's count and value; a card moves by its form; the deal's page edits it, wins it, loses
//! it with a reason, reopens and deletes it, each change the signed-in user's; the list view
//! filters as the API does; another business's deal is not found on any route, and a post
//! without its CSRF token changes nothing.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus};
use std::time::Duration;

use ivorey_core::{LocationId, OpportunityId};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{get_page, post_form};
use crate::common::{Admin, TestApp};

on_both_backends!(
    a_deal_is_made_moved_won_lost_and_deleted_from_the_board,
    the_list_filters_like_the_api_and_pages,
    another_business_deal_is_not_found_and_forged_posts_change_nothing,
);

fn loc(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

fn at(admin: &Admin, rest: &str) -> String {
    format!("/l/{}/opportunities{rest}", admin.location)
}

fn location_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn deal(app: &TestApp, admin: &Admin, id: &str) -> Option<Opportunity> {
    let id = OpportunityId::parse(id).expect("opportunity id");
    app.store.get_opportunity(&loc(admin), &id).await.unwrap()
}

/// A tool's token and one contact named `name`, made through the API.
async fn with_contact(app: &TestApp, admin: &Admin, name: &str) -> (String, String) {
    let scopes = [
        "contacts.readonly",
        "contacts.write",
        "opportunities.readonly",
        "opportunities.write",
    ];
    let (_, token) = app.integration(admin, &scopes).await;
    let contact = app.contact(&token, &admin.location, name).await;
    (token, contact)
}

async fn a_deal_is_made_moved_won_lost_and_deleted_from_the_board(app: TestApp) {
    let admin = app.new_admin("Board Co").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let (_, contact) = with_contact(&app, &admin, "Katherine").await;
    let pipeline = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    let (first, second) = (&pipeline.stages[0], &pipeline.stages[1]);

    // The board of an empty pipeline: every stage, nothing in them yet.
    let (status, _, board) = get_page(&app, cookie, &at(&admin, "")).await;
    assert_eq!(status, StatusCode::OK);
    for stage in &pipeline.stages {
        assert!(
            board.contains(&format!("id=\"col-{}\"", stage.id)),
            "{board}"
        );
    }
    assert!(board.contains("Nothing here yet."));

    // New opportunity: find the contact by name, choose them, fill the form.
    let (status, _, picker) = get_page(&app, cookie, &at(&admin, "/new?find=kath")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(picker.contains("Katherine") && picker.contains(&format!("contact={contact}")));
    let (_, _, none) = get_page(&app, cookie, &at(&admin, "/new?find=nobody")).await;
    assert!(none.contains("No contact matches"), "{none}");
    let (status, _, form) = get_page(
        &app,
        cookie,
        &at(&admin, &format!("/new?contact={contact}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"Katherine\""),
        "named after the contact: {form}"
    );
    let stage_value = format!("{}:{}", pipeline.id, first.id);
    let fields = [
        ("csrf", csrf),
        ("contact", contact.as_str()),
        ("name", "Orbit contract"),
        ("stage", stage_value.as_str()),
        ("monetaryValue", "1,250.50"),
        ("source", "Referral"),
    ];
    let (status, headers, body) = post_form(&app, cookie, &at(&admin, "/new"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location_header(&headers);
    let id = to
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let made = deal(&app, &admin, &id).await.expect("stored");
    assert_eq!(made.stage_id, first.id);
    assert_eq!(made.monetary_value.minor(), 125_050);
    assert_eq!(made.status, OpportunityStatus::Open);
    assert!(matches!(made.created_by, Some(ChangedBy::User(_))));

    // A second opportunity for the same contact in the same pipeline is refused, in words.
    let (status, _, page) = post_form(&app, cookie, &at(&admin, "/new"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("already has an opportunity in this pipeline"),
        "{page}"
    );

    let (_, _, board) = get_page(&app, cookie, &at(&admin, "")).await;
    assert!(
        board.contains("Orbit contract") && board.contains("1,250.50"),
        "{board}"
    );
    assert!(board.contains("<strong>1</strong> opportunity"), "{board}");
    // The dashboard shows the open value, stage by stage.
    let (_, _, dashboard) =
        get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    assert!(
        dashboard.contains("Open deals in Sales Pipeline"),
        "{dashboard}"
    );
    let stage_row = format!(
        "<th scope=\"row\">{}</th><td class=\"num\">1</td><td class=\"num\">1,250.50</td>",
        first.name
    );
    assert!(dashboard.contains(&stage_row), "{dashboard}");

    // Move the card to the second stage with its form.
    let move_path = at(&admin, &format!("/{id}/move"));
    let second_id = second.id.to_string();
    let fields = [
        ("csrf", csrf),
        ("stage", second_id.as_str()),
        ("status", "open"),
    ];
    let (status, headers, _) = post_form(&app, cookie, &move_path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location_header(&headers).ends_with(&format!("#card-{id}")));
    assert_eq!(deal(&app, &admin, &id).await.unwrap().stage_id, second.id);
    let (status, _, _) = post_form(
        &app,
        cookie,
        &move_path,
        &[("csrf", csrf), ("stage", "nonsense")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let other_pipeline = ivorey_core::StageId::generate().to_string();
    let (status, _, _) = post_form(
        &app,
        cookie,
        &move_path,
        &[("csrf", csrf), ("stage", &other_pipeline)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a stage of no pipeline of its own"
    );
    assert_eq!(deal(&app, &admin, &id).await.unwrap().stage_id, second.id);

    // Win it; lose it with a reason; reopen it (the reason goes).
    let status_path = at(&admin, &format!("/{id}/status"));
    post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "won")],
    )
    .await;
    assert_eq!(
        deal(&app, &admin, &id).await.unwrap().status,
        OpportunityStatus::Won
    );
    let (_, _, open_board) = get_page(&app, cookie, &at(&admin, "")).await;
    assert!(
        !open_board.contains("Orbit contract"),
        "the open board leaves won deals out"
    );
    let (_, _, won_board) = get_page(&app, cookie, &at(&admin, "?status=won")).await;
    assert!(won_board.contains("Orbit contract"));
    let fields = [
        ("csrf", csrf),
        ("status", "lost"),
        ("lostReason", "Went with a competitor"),
    ];
    post_form(&app, cookie, &status_path, &fields).await;
    let lost = deal(&app, &admin, &id).await.unwrap();
    assert_eq!(lost.status, OpportunityStatus::Lost);
    assert_eq!(
        lost.lost_reason_id.as_deref(),
        Some("Went with a competitor")
    );
    let (_, _, page) = get_page(&app, cookie, &at(&admin, &format!("/{id}"))).await;
    assert!(page.contains("Went with a competitor") && page.contains("Reopen"));
    post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "open")],
    )
    .await;
    let reopened = deal(&app, &admin, &id).await.unwrap();
    assert_eq!(
        (reopened.status, reopened.lost_reason_id),
        (OpportunityStatus::Open, None)
    );
    let (status, _, _) = post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "bogus")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    app.clock.advance(Duration::from_secs(60));
    // Edit: a bad value is shown beside the field and nothing is saved; a good edit is.
    let edit_path = at(&admin, &format!("/{id}"));
    let stage_value = format!("{}:{}", pipeline.id, pipeline.stages[2].id);
    let mut fields = vec![
        ("csrf", csrf),
        ("name", "Orbit contract, year two"),
        ("stage", stage_value.as_str()),
        ("monetaryValue", "12.345"),
    ];
    let (status, _, page) = post_form(&app, cookie, &edit_path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Value "), "{page}");
    assert_eq!(
        deal(&app, &admin, &id).await.unwrap().name,
        "Orbit contract"
    );
    fields[3] = ("monetaryValue", "2000");
    let (status, _, _) = post_form(&app, cookie, &edit_path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let edited = deal(&app, &admin, &id).await.unwrap();
    assert_eq!(edited.name, "Orbit contract, year two");
    assert_eq!(edited.stage_id, pipeline.stages[2].id);
    assert_eq!(edited.monetary_value.minor(), 200_000);
    assert_eq!(edited.source, None, "an emptied field is cleared");
    let (_, _, page) = get_page(&app, cookie, &edit_path).await;
    assert!(page.contains("last changed by"), "{page}");

    // Delete after the confirmation page; the contact stays.
    let (status, _, confirm) = get_page(&app, cookie, &at(&admin, &format!("/{id}/delete"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Delete opportunity"));
    let (status, _, _) = post_form(
        &app,
        cookie,
        &at(&admin, &format!("/{id}/delete")),
        &[("csrf", csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(deal(&app, &admin, &id).await.is_none());
    let contact_id = ivorey_core::ContactId::parse(&contact).unwrap();
    assert!(
        app.store
            .get_contact(&loc(&admin), &contact_id)
            .await
            .unwrap()
            .is_some()
    );
}

async fn the_list_filters_like_the_api_and_pages(app: TestApp) {
    let admin = app.new_admin("List Co").await;
    let cookie = admin.session.cookie.as_str();
    let (token, _) = with_contact(&app, &admin, "Seed").await;
    let pipeline = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    for n in 0..30 {
        app.clock.advance(Duration::from_millis(1));
        let contact = app
            .contact(&token, &admin.location, &format!("Person {n}"))
            .await;
        let stage = &pipeline.stages[n % 2];
        let status = if n % 3 == 0 { "won" } else { "open" };
        let body = json!({
            "locationId": admin.location, "pipelineId": pipeline.id,
            "pipelineStageId": stage.id, "contactId": contact,
            "name": format!("Deal {n:02}"), "status": status, "monetaryValue": 100,
        });
        let (code, body) = app
            .api(&token, Method::POST, "/opportunities/", Some(body))
            .await;
        assert_eq!(code, StatusCode::CREATED, "{body}");
    }
    let (status, _, page) = get_page(&app, cookie, &at(&admin, "/list")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("30 matching") && page.contains("Page 1 of 2"),
        "{page}"
    );
    assert!(
        page.contains("Deal 00") && !page.contains("Deal 29"),
        "oldest first"
    );
    let (_, _, next) = get_page(
        &app,
        cookie,
        &at(&admin, &format!("/list?pipeline={}&page=2", pipeline.id)),
    )
    .await;
    assert!(
        next.contains("Deal 29") && !next.contains("Deal 00"),
        "{next}"
    );
    let stage = pipeline.stages[1].id.to_string();
    let path = at(
        &admin,
        &format!("/list?pipeline={}&stage={stage}&status=won", pipeline.id),
    );
    let (_, _, filtered) = get_page(&app, cookie, &path).await;
    // Odd n in stage 1, won when n % 3 == 0: 3, 9, 15, 21, 27.
    assert!(filtered.contains("5 matching"), "{filtered}");
    let (_, _, searched) = get_page(&app, cookie, &at(&admin, "/list?q=deal+2")).await;
    assert!(
        searched.contains("10 matching"),
        "Deal 20 to 29: {searched}"
    );
    let (_, _, nothing) = get_page(&app, cookie, &at(&admin, "/list?q=zzz")).await;
    assert!(nothing.contains("No opportunities match"));
    // The board pages a column and links to the rest of it.
    let (_, _, board) = get_page(&app, cookie, &at(&admin, "?status=all")).await;
    assert!(
        board.contains("<strong>30</strong> opportunities"),
        "{board}"
    );
}

async fn another_business_deal_is_not_found_and_forged_posts_change_nothing(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let (token, contact) = with_contact(&app, &other, "Secret Person").await;
    let theirs = app
        .store
        .list_pipelines(&loc(&other))
        .await
        .unwrap()
        .remove(0);
    let body = json!({
        "locationId": other.location, "pipelineId": theirs.id, "contactId": contact,
        "name": "Secret deal", "status": "open",
    });
    let (_, created) = app
        .api(&token, Method::POST, "/opportunities/", Some(body))
        .await;
    let id = created["opportunity"]["id"].as_str().unwrap().to_owned();
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let stage = theirs.stages[1].id.to_string();
    for deal_id in [id.as_str(), "aaaaaaaaaaaaaaaaaaaa"] {
        for rest in ["", "/delete"] {
            let path = at(&admin, &format!("/{deal_id}{rest}"));
            let (status, _, body) = get_page(&app, cookie, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!body.contains("Secret"), "{path}");
        }
        for rest in ["", "/move", "/status", "/delete"] {
            let path = at(&admin, &format!("/{deal_id}{rest}"));
            let fields = [
                ("csrf", csrf),
                ("stage", stage.as_str()),
                ("status", "won"),
                ("name", "Stolen"),
            ];
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    // Their pipeline on my board is not shown: my own first pipeline is.
    let (_, _, board) = get_page(
        &app,
        cookie,
        &at(&admin, &format!("?pipeline={}", theirs.id)),
    )
    .await;
    assert!(!board.contains("Secret"), "{board}");
    // Their contact cannot be given to a deal of mine.
    let mine = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    let stage_value = format!("{}:{}", mine.id, mine.stages[0].id);
    let fields = [
        ("csrf", csrf),
        ("contact", contact.as_str()),
        ("name", "Stolen"),
        ("stage", stage_value.as_str()),
    ];
    let (status, _, _) = post_form(&app, cookie, &at(&admin, "/new"), &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "their contact is not mine");
    let (_, _, picker) = get_page(&app, cookie, &at(&admin, "/new?find=secret")).await;
    assert!(picker.contains("No contact matches"), "{picker}");
    // Forged posts on my own deal change nothing.
    let (my_token, my_contact) = with_contact(&app, &admin, "Mine").await;
    let body = json!({
        "locationId": admin.location, "pipelineId": mine.id, "contactId": my_contact,
        "name": "My deal", "status": "open",
    });
    let (_, created) = app
        .api(&my_token, Method::POST, "/opportunities/", Some(body))
        .await;
    let my_id = created["opportunity"]["id"].as_str().unwrap().to_owned();
    let before = deal(&app, &admin, &my_id).await;
    let stage = mine.stages[1].id.to_string();
    for rest in ["", "/move", "/status", "/delete"] {
        let path = at(&admin, &format!("/{my_id}{rest}"));
        for token in [None, Some("wrong-token")] {
            let mut fields = vec![
                ("stage", stage.as_str()),
                ("status", "won"),
                ("name", "Forged"),
            ];
            if let Some(token) = token {
                fields.push(("csrf", token));
            }
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    let (status, _, _) = post_form(&app, cookie, &at(&admin, "/new"), &[("name", "Forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(deal(&app, &admin, &my_id).await, before);
    let theirs_now = deal_of(&app, &other, &id).await;
    assert_eq!(theirs_now.name, "Secret deal");
    assert_eq!(theirs_now.status, OpportunityStatus::Open);
}

async fn deal_of(app: &TestApp, admin: &Admin, id: &str) -> Opportunity {
    deal(app, admin, id).await.expect("stored")
}
