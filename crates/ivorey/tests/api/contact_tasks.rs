//! Tasks on contacts on both backends: CRUD, completion, assignee checks, deletion with the
//! contact, and refusals (missing scope -> 401 with nothing changed, another location -> 404).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    tasks_are_created_listed_updated_completed_and_deleted,
    tasks_refuse_bad_input_and_strangers_as_assignees,
    tasks_need_their_scope_and_stay_in_their_location,
);

const READ_WRITE: &[&str] = &["contacts.readonly", "contacts.write"];

async fn checked(
    app: &TestApp,
    token: &str,
    method: Method,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, body).await;
    if status.is_success() {
        spec::check("contacts.json", &method, template, status, &answer);
    }
    (status, answer)
}

const ONE: &str = "/contacts/{contactId}/tasks/{taskId}";

async fn tasks_are_created_listed_updated_completed_and_deleted(app: TestApp) {
    let admin = app.new_admin("Tasks").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let contact = app.contact(&token, &admin.location, "Tasked").await;
    let tasks = format!("/contacts/{contact}/tasks");
    let (status, created) = checked(&app, &token, Method::POST, "/contacts/{contactId}/tasks", &tasks,
        Some(json!({"title": "Call back", "body": "About the quote", "dueDate": "2030-01-02T10:00:00Z", "completed": false}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let task = &created["task"];
    assert_eq!(task["contactId"], contact.as_str());
    assert_eq!(task["dueDate"], "2030-01-02T10:00:00.000Z");
    let id = task["id"].as_str().unwrap().to_owned();
    let (_, early) = checked(
        &app,
        &token,
        Method::POST,
        "/contacts/{contactId}/tasks",
        &tasks,
        Some(json!({"title": "Earlier", "dueDate": "2030-01-01T10:00:00Z", "completed": true})),
    )
    .await;
    let (status, list) = checked(
        &app,
        &token,
        Method::GET,
        "/contacts/{contactId}/tasks",
        &tasks,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<_> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(
        titles,
        [json!("Earlier"), json!("Call back")],
        "by due date"
    );
    let one = format!("{tasks}/{id}");
    let (status, updated) = checked(
        &app,
        &token,
        Method::PUT,
        ONE,
        &one,
        Some(json!({"title": "Call again", "body": null})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["task"]["title"], "Call again");
    assert!(updated["task"].get("body").is_none());
    assert_eq!(
        updated["task"]["dueDate"], "2030-01-02T10:00:00.000Z",
        "absent fields kept"
    );
    let (status, done) = checked(
        &app,
        &token,
        Method::PUT,
        "/contacts/{contactId}/tasks/{taskId}/completed",
        &format!("{one}/completed"),
        Some(json!({"completed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["task"]["completed"], true);
    let (_, got) = checked(&app, &token, Method::GET, ONE, &one, None).await;
    assert_eq!(got["task"]["completed"], true);
    assert_eq!(got["task"]["title"], "Call again");
    let (status, deleted) = checked(&app, &token, Method::DELETE, ONE, &one, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deleted["succeded"], true);
    let (status, _) = app.api(&token, Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Deleting the contact deletes its tasks.
    let (status, _) = app
        .api(
            &token,
            Method::DELETE,
            &format!("/contacts/{contact}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let early = early["task"]["id"].as_str().unwrap();
    let (status, _) = app
        .api(&token, Method::GET, &format!("{tasks}/{early}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn tasks_refuse_bad_input_and_strangers_as_assignees(app: TestApp) {
    let admin = app.new_admin("Assign").await;
    let stranger = app.new_admin("Stranger").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let (_, users) = app.integration(&admin, &["users.readonly"]).await;
    let (_, other_users) = app.integration(&stranger, &["users.readonly"]).await;
    let member = |body: Value| body["users"][0]["id"].as_str().unwrap().to_owned();
    let (_, mine) = app
        .api(
            &users,
            Method::GET,
            &format!("/users/?locationId={}", admin.location),
            None,
        )
        .await;
    let (_, theirs) = app
        .api(
            &other_users,
            Method::GET,
            &format!("/users/?locationId={}", stranger.location),
            None,
        )
        .await;
    let (mine, theirs) = (member(mine), member(theirs));
    let contact = app.contact(&token, &admin.location, "Assigned").await;
    let tasks = format!("/contacts/{contact}/tasks");
    let body = |assignee: &str| json!({"title": "T", "dueDate": "2030-01-01", "completed": false, "assignedTo": assignee});
    let (status, ok) = app
        .api(&token, Method::POST, &tasks, Some(body(&mine)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["task"]["assignedTo"], mine.as_str());
    let (status, refused) = app
        .api(&token, Method::POST, &tasks, Some(body(&theirs)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"][0]
            .as_str()
            .unwrap()
            .starts_with("assignedTo")
    );
    for (bad, field) in [
        (
            json!({"dueDate": "2030-01-01", "completed": false}),
            "title",
        ),
        (
            json!({"title": "T", "dueDate": "tomorrow", "completed": false}),
            "dueDate",
        ),
        (json!({"title": "T", "dueDate": "2030-01-01"}), "completed"),
        (
            json!({"title": "T", "dueDate": "2030-01-01", "completed": false, "x": 1}),
            "x",
        ),
    ] {
        let (status, answer) = app
            .api(&token, Method::POST, &tasks, Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            answer["message"].to_string().contains(field),
            "{bad} -> {answer}"
        );
    }
    let (_, list) = app.api(&token, Method::GET, &tasks, None).await;
    assert_eq!(
        list["tasks"].as_array().unwrap().len(),
        1,
        "refused bodies stored nothing"
    );
}

async fn tasks_need_their_scope_and_stay_in_their_location(app: TestApp) {
    let a = app.new_admin("Owner").await;
    let b = app.new_admin("Intruder").await;
    let (_, writer_a) = app.integration(&a, READ_WRITE).await;
    let (_, reader_a) = app.integration(&a, &["contacts.readonly"]).await;
    let (_, writer_only_a) = app.integration(&a, &["contacts.write"]).await;
    let (_, writer_b) = app.integration(&b, READ_WRITE).await;
    let contact = app.contact(&writer_a, &a.location, "Owned").await;
    let tasks = format!("/contacts/{contact}/tasks");
    let (_, created) = app
        .api(
            &writer_a,
            Method::POST,
            &tasks,
            Some(json!({"title": "Mine", "dueDate": "2030-01-01", "completed": false})),
        )
        .await;
    let one = format!("{tasks}/{}", created["task"]["id"].as_str().unwrap());
    let create = json!({"title": "X", "dueDate": "2030-01-01", "completed": false});
    let writes = [
        (Method::POST, tasks.clone(), Some(create.clone())),
        (Method::PUT, one.clone(), Some(json!({"title": "Stolen"}))),
        (
            Method::PUT,
            format!("{one}/completed"),
            Some(json!({"completed": true})),
        ),
        (Method::DELETE, one.clone(), None),
    ];
    let reads = [
        (Method::GET, tasks.clone(), None),
        (Method::GET, one.clone(), None),
    ];
    for (method, path, body) in &writes {
        let (status, _) = app.api(&reader_a, method.clone(), path, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for (method, path, body) in &reads {
        let (status, _) = app
            .api(&writer_only_a, method.clone(), path, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let (_, missing) = app
        .api(
            &writer_a,
            Method::GET,
            &format!("/contacts/{}/tasks", "A".repeat(20)),
            None,
        )
        .await;
    for (method, path, body) in writes.iter().chain(reads.iter()) {
        let (status, answer) = app.api(&writer_b, method.clone(), path, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            answer["message"], missing["message"],
            "identical to a missing contact"
        );
    }
    let (_, list) = app.api(&writer_a, Method::GET, &tasks, None).await;
    assert_eq!(list["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(list["tasks"][0]["title"], "Mine");
    assert_eq!(list["tasks"][0]["completed"], false, "nothing changed");
}
