//! Settings > Pipelines through its forms, on both backends: an admin creates a pipeline, adds,
//! renames, reorders and deletes stages (a stage's opportunities move first), renames and
//! deletes the pipeline; a new location's starter pipeline is there and can be made again once
//! deleted; members only look; another business's pipeline is not found on any route; a post
//! without its CSRF token changes nothing.

use ivorey_core::opportunity::{Pipeline, STARTER_NAME, STARTER_STAGES};
use ivorey_core::user::Role;
use ivorey_core::{LocationId, PipelineId};
use reqwest::StatusCode;
use serde_json::json;

use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{Admin, PASSWORD, TestApp};

on_both_backends!(
    an_admin_builds_a_pipeline_stage_by_stage,
    a_stage_with_deals_is_deleted_by_moving_them_and_a_pipeline_only_when_empty,
    members_see_pipelines_and_only_admins_change_them,
    another_business_pipeline_is_not_found_and_forged_posts_change_nothing,
);

pub fn loc(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

fn settings(admin: &Admin, rest: &str) -> String {
    format!("/l/{}/settings/pipelines{rest}", admin.location)
}

fn location_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn stored(app: &TestApp, admin: &Admin, id: &PipelineId) -> Pipeline {
    let found = app.store.get_pipeline(&loc(admin), id).await.unwrap();
    found.expect("the pipeline is stored")
}

fn stage_names(p: &Pipeline) -> Vec<&str> {
    p.stages.iter().map(|s| s.name.as_str()).collect()
}

/// Creates a pipeline through the form; returns its id.
async fn create(app: &TestApp, admin: &Admin, name: &str, stages: &str) -> PipelineId {
    let csrf = admin.session.csrf.as_str();
    let fields = [("csrf", csrf), ("name", name), ("stages", stages)];
    let (status, headers, body) =
        post_form(app, &admin.session.cookie, &settings(admin, ""), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location_header(&headers);
    let id = to
        .rsplit('/')
        .next()
        .and_then(|rest| rest.split('?').next())
        .expect("the new pipeline's page");
    PipelineId::parse(id).expect("pipeline id")
}

/// Posts one of the pipeline page's forms.
async fn edit(
    app: &TestApp,
    admin: &Admin,
    id: &PipelineId,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut sent = vec![("csrf", admin.session.csrf.as_str())];
    sent.extend_from_slice(fields);
    let path = settings(admin, &format!("/{id}"));
    let (status, headers, body) = post_form(app, &admin.session.cookie, &path, &sent).await;
    (status, location_header(&headers), body)
}

async fn an_admin_builds_a_pipeline_stage_by_stage(app: TestApp) {
    let admin = app.new_admin("Pipes Co").await;
    let cookie = admin.session.cookie.as_str();
    // A new business already has the starter pipeline, listed with its stages.
    let (status, _, page) = get_page(&app, cookie, &settings(&admin, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(STARTER_NAME), "{page}");
    assert!(page.contains(&STARTER_STAGES.join(" → ")), "{page}");

    let id = create(&app, &admin, " Onboarding ", "Signed\n\n Kick-off \nLive").await;
    let p = stored(&app, &admin, &id).await;
    assert_eq!(p.name, "Onboarding");
    assert_eq!(stage_names(&p), ["Signed", "Kick-off", "Live"]);
    let (status, _, page) = get_page(&app, cookie, &settings(&admin, &format!("/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("0 opportunities") && page.contains("Open the board"));

    let (status, to, _) = edit(
        &app,
        &admin,
        &id,
        &[("action", "add-stage"), ("stageName", "Training")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let p = stored(&app, &admin, &id).await;
    let training = p.stages[3].id.to_string();
    assert!(to.ends_with(&format!("#stage-{training}")), "{to}");
    let (status, _, _) = edit(
        &app,
        &admin,
        &id,
        &[("action", "move-up"), ("stage", &training)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let signed = p.stages[0].id.to_string();
    // The first stage cannot move earlier: nothing changes.
    edit(
        &app,
        &admin,
        &id,
        &[("action", "move-up"), ("stage", &signed)],
    )
    .await;
    edit(
        &app,
        &admin,
        &id,
        &[("action", "move-down"), ("stage", &signed)],
    )
    .await;
    let (status, _, _) = edit(
        &app,
        &admin,
        &id,
        &[
            ("action", "rename-stage"),
            ("stage", &training),
            ("stageName", "Training day"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = edit(
        &app,
        &admin,
        &id,
        &[("action", "rename"), ("name", "Customer onboarding")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let p = stored(&app, &admin, &id).await;
    assert_eq!(p.name, "Customer onboarding");
    assert_eq!(
        stage_names(&p),
        ["Kick-off", "Signed", "Training day", "Live"]
    );
    let positions: Vec<u32> = p.stages.iter().map(|s| s.position).collect();
    assert_eq!(positions, [0, 1, 2, 3]);

    // Refused edits say why beside the field, and change nothing.
    let (status, _, page) = edit(
        &app,
        &admin,
        &id,
        &[
            ("action", "rename-stage"),
            ("stage", &training),
            ("stageName", "live"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Stage name is already used by another stage"),
        "{page}"
    );
    assert!(
        page.contains("value=\"live\""),
        "what was typed is kept: {page}"
    );
    let (status, _, page) = edit(
        &app,
        &admin,
        &id,
        &[("action", "add-stage"), ("stageName", "  ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Stage name must not be empty"), "{page}");
    let (status, _, _) = edit(
        &app,
        &admin,
        &id,
        &[("action", "move-up"), ("stage", "nonsense")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(stored(&app, &admin, &id).await, p, "nothing changed");
}

async fn a_stage_with_deals_is_deleted_by_moving_them_and_a_pipeline_only_when_empty(app: TestApp) {
    let admin = app.new_admin("Moves Co").await;
    let cookie = admin.session.cookie.as_str();
    let csrf = admin.session.csrf.as_str();
    let scopes = [
        "contacts.write",
        "opportunities.write",
        "opportunities.readonly",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    let starter = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    let contact = app.contact(&token, &admin.location, "Mover").await;
    let body = json!({
        "locationId": admin.location, "pipelineId": starter.id, "contactId": contact,
        "name": "Moving deal", "status": "open",
    });
    let (status, created) = app
        .api(&token, reqwest::Method::POST, "/opportunities/", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let first = starter.stages[0].id.to_string();
    let stage_path = settings(&admin, &format!("/{}/stages/{first}/delete", starter.id));
    let (status, _, page) = get_page(&app, cookie, &stage_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("1</strong> opportunity is in this stage"),
        "{page}"
    );
    assert!(page.contains("Move them to"), "{page}");
    // Without a stage to move them to, the stage stays and the page asks again.
    let (status, _, page) = post_form(&app, cookie, &stage_path, &[("csrf", csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("The stage still has opportunities"), "{page}");
    assert_eq!(stored(&app, &admin, &starter.id).await.stages.len(), 4);
    let to = starter.stages[2].id.to_string();
    let (status, _, _) = post_form(
        &app,
        cookie,
        &stage_path,
        &[("csrf", csrf), ("moveTo", &to)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let p = stored(&app, &admin, &starter.id).await;
    assert_eq!(stage_names(&p), ["Contacted", "Proposal Sent", "Closed"]);
    let id = created["opportunity"]["id"].as_str().unwrap();
    let deal = app
        .store
        .get_opportunity(
            &loc(&admin),
            &ivorey_core::OpportunityId::parse(id).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deal.stage_id.as_str(), to);
    assert!(
        matches!(
            deal.updated_by,
            Some(ivorey_core::changed_by::ChangedBy::User(_))
        ),
        "the move is the admin's"
    );

    // The pipeline with a deal cannot go; without, it can, and the starter can be made again.
    let delete_path = settings(&admin, &format!("/{}/delete", starter.id));
    let (status, _, page) = get_page(&app, cookie, &delete_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("still has"), "{page}");
    let (status, _, _) = post_form(&app, cookie, &delete_path, &[("csrf", csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.api(
        &token,
        reqwest::Method::DELETE,
        &format!("/opportunities/{id}"),
        None,
    )
    .await;
    let (status, headers, _) = post_form(&app, cookie, &delete_path, &[("csrf", csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location_header(&headers).ends_with("/pipelines?done=deleted"));
    assert!(
        app.store
            .list_pipelines(&loc(&admin))
            .await
            .unwrap()
            .is_empty()
    );
    let (_, _, page) = get_page(&app, cookie, &settings(&admin, "")).await;
    assert!(page.contains("No pipelines yet"), "{page}");
    let (_, _, board) = get_page(
        &app,
        cookie,
        &format!("/l/{}/opportunities", admin.location),
    )
    .await;
    assert!(
        board.contains("No pipeline yet") && board.contains("Set up a pipeline"),
        "{board}"
    );
    let fields = [("csrf", csrf), ("starter", "yes")];
    let (status, _, _) = post_form(&app, cookie, &settings(&admin, ""), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let again = app.store.list_pipelines(&loc(&admin)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(stage_names(&again[0]), STARTER_STAGES);
}

async fn members_see_pipelines_and_only_admins_change_them(app: TestApp) {
    let admin = app.new_admin("Roles Co").await;
    let starter = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let (status, _, page) = get_page(&app, &user.cookie, &settings(&admin, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Only admins of this business can change pipelines"));
    assert!(!page.contains("Create pipeline"), "no form for a member");
    let (status, _, page) = get_page(
        &app,
        &user.cookie,
        &settings(&admin, &format!("/{}", starter.id)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("New Lead") && !page.contains("Add stage"));
    let first = starter.stages[0].id.to_string();
    let posts = [
        (
            settings(&admin, ""),
            vec![("name", "Mine"), ("stages", "A")],
        ),
        (
            settings(&admin, &format!("/{}", starter.id)),
            vec![("action", "rename"), ("name", "Taken over")],
        ),
        (
            settings(&admin, &format!("/{}/stages/{first}/delete", starter.id)),
            vec![],
        ),
        (settings(&admin, &format!("/{}/delete", starter.id)), vec![]),
    ];
    for (path, fields) in posts {
        let mut sent = vec![("csrf", user.csrf.as_str())];
        sent.extend(fields);
        let (status, _, page) = post_form(&app, &user.cookie, &path, &sent).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Only admins can manage pipelines"), "{page}");
    }
    for path in [
        settings(&admin, &format!("/{}/stages/{first}/delete", starter.id)),
        settings(&admin, &format!("/{}/delete", starter.id)),
    ] {
        let (status, _, _) = get_page(&app, &user.cookie, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.store.list_pipelines(&loc(&admin)).await.unwrap(),
        [starter]
    );
}

async fn another_business_pipeline_is_not_found_and_forged_posts_change_nothing(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let theirs = app
        .store
        .list_pipelines(&loc(&other))
        .await
        .unwrap()
        .remove(0);
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let stage = theirs.stages[0].id.to_string();
    for pipeline in [theirs.id.as_str(), "aaaaaaaaaaaaaaaaaaaa", "bad"] {
        for rest in ["", "/delete", &format!("/stages/{stage}/delete")] {
            let path = settings(&admin, &format!("/{pipeline}{rest}"));
            let (status, _, body) = get_page(&app, cookie, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!body.contains("New Lead"), "{path}");
            let fields = [("csrf", csrf), ("action", "rename"), ("name", "Stolen")];
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    let (status, _, _) = get_page(
        &app,
        cookie,
        &format!("/l/{}/settings/pipelines", other.location),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mine = app
        .store
        .list_pipelines(&loc(&admin))
        .await
        .unwrap()
        .remove(0);
    let first = mine.stages[0].id.to_string();
    let posts = [
        (
            settings(&admin, ""),
            vec![("name", "Forged"), ("stages", "A")],
        ),
        (
            settings(&admin, &format!("/{}", mine.id)),
            vec![("action", "rename"), ("name", "Forged")],
        ),
        (
            settings(&admin, &format!("/{}/stages/{first}/delete", mine.id)),
            vec![],
        ),
        (settings(&admin, &format!("/{}/delete", mine.id)), vec![]),
    ];
    for (path, fields) in posts {
        for token in [None, Some("wrong-token")] {
            let mut sent = fields.clone();
            if let Some(token) = token {
                sent.push(("csrf", token));
            }
            let (status, _, _) = post_form(&app, cookie, &path, &sent).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(
        app.store.list_pipelines(&loc(&admin)).await.unwrap(),
        [mine]
    );
    assert_eq!(
        app.store.list_pipelines(&loc(&other)).await.unwrap(),
        [theirs]
    );
}
