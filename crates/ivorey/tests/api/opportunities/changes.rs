//! Status changes and upsert: what they store, and the times they stamp.

use std::time::Duration;

use ivorey_core::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{call, create, get, id_of, pipeline, tenant};
use crate::common::TestApp;

pub(crate) async fn status_changes_are_stored_with_their_time(app: TestApp) {
    let t = tenant(&app).await;
    let o = create(&app, &t, json!({})).await;
    let path = format!("/opportunities/{}/status", id_of(&o));
    for (status_body, reason) in [
        (json!({"status": "won"}), None),
        (
            json!({"status": "lost", "lostReasonId": "too-expensive"}),
            Some("too-expensive"),
        ),
        (json!({"status": "abandoned"}), None),
        (json!({"status": "open"}), None),
    ] {
        app.clock.advance(Duration::from_secs(1));
        let (status, body) = call(
            &app,
            &t.token,
            Method::PUT,
            &path,
            Some(status_body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body.as_object().map(|m| m.len()), Some(2), "{body}");
        assert_eq!(body["succeded"], true, "HighLevel's spelling");
        let (_, got) = get(&app, &t, &id_of(&o)).await;
        let stored = &got["opportunity"];
        assert_eq!(stored["status"], status_body["status"]);
        assert_eq!(
            stored["lastStatusChangeAt"],
            app.clock.now().to_rfc3339().as_str()
        );
        assert_eq!(stored["lostReasonId"].as_str(), reason, "{stored}");
        assert_eq!(stored["lastStageChangeAt"], o["lastStageChangeAt"]);
    }
    for bad in [
        json!({"status": "all"}),
        json!({"status": "closed"}),
        json!({}),
        json!({"status": "won", "name": "x"}),
    ] {
        let (status, body) = call(&app, &t.token, Method::PUT, &path, Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (_, got) = get(&app, &t, &id_of(&o)).await;
    assert_eq!(
        got["opportunity"]["status"], "open",
        "refused changes left it as it was"
    );
}

pub(crate) async fn upsert_updates_the_contacts_opportunity_in_the_pipeline_or_creates_it(
    app: TestApp,
) {
    let t = tenant(&app).await;
    let upsert = |fields: Value| {
        let mut body =
            json!({"locationId": t.location, "pipelineId": t.pipeline.id, "contactId": t.contact});
        for (key, value) in fields.as_object().unwrap().clone() {
            body[key] = value;
        }
        call(
            &app,
            &t.token,
            Method::POST,
            "/opportunities/upsert",
            Some(body),
        )
    };
    let (status, body) = upsert(json!({"name": "Deal"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["new"], true);
    let first = body["opportunity"].clone();
    assert_eq!(first["status"], "open", "a new one is open unless told");
    app.clock.advance(Duration::from_secs(1));
    let (status, body) = upsert(json!({"status": "won", "monetaryValue": 99.95})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["new"], false);
    let second = &body["opportunity"];
    assert_eq!(second["id"], first["id"], "the same opportunity");
    assert_eq!(
        (second["name"].as_str(), second["status"].as_str()),
        (Some("Deal"), Some("won"))
    );
    assert_eq!(second["monetaryValue"], 99.95);
    let (_, got) = get(&app, &t, &id_of(&first)).await;
    assert_eq!(&got["opportunity"], second);
    // Another pipeline is another opportunity; creating one needs a name.
    let renewals = pipeline(&app, &t.location, "Renewals").await;
    let (status, body) = upsert(json!({"pipelineId": renewals.id})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["message"], json!(["name should not be empty"]));
    let (status, body) = upsert(json!({"pipelineId": renewals.id, "name": "Renewal"})).await;
    assert_eq!(
        (status, &body["new"]),
        (StatusCode::OK, &json!(true)),
        "{body}"
    );
    assert_ne!(body["opportunity"]["id"], first["id"]);
    let search = format!("/opportunities/search?location_id={}", t.location);
    let (_, found) = call(&app, &t.token, Method::GET, &search, None).await;
    assert_eq!(found["meta"]["total"], 2);
    let (status, body) = upsert(json!({"pipelineId": null})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

pub(crate) async fn concurrent_upserts_make_one_opportunity(app: TestApp) {
    let t = tenant(&app).await;
    let body = json!({"locationId": t.location, "pipelineId": t.pipeline.id,
                      "contactId": t.contact, "name": "Raced"});
    // Each request finds nothing and inserts; the unique key lets one insert win and the
    // others retry as updates of the winner.
    let requests = (0..8).map(|_| {
        let request = app.http.post(app.url("/opportunities/upsert"));
        let request = request
            .bearer_auth(&t.token)
            .header("Version", crate::common::VERSION);
        request.json(&body).send()
    });
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for response in futures_join(requests).await {
        let response = response.expect("upsert");
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().await.expect("json");
        created += usize::from(answer["new"] == true);
        ids.insert(answer["opportunity"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        (created, ids.len()),
        (1, 1),
        "one created, the rest updated it"
    );
    let search = format!("/opportunities/search?location_id={}", t.location);
    let (_, found) = call(&app, &t.token, Method::GET, &search, None).await;
    assert_eq!(found["meta"]["total"], 1);
}

/// Runs the futures concurrently on the test's runtime and returns their outputs in order.
async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.expect("task"));
    }
    outputs
}
