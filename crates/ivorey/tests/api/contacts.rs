//! Contacts over real HTTP, on both backends, in HighLevel v2 shapes: create, get, update
//! (absent keeps, `null` clears), delete, and the cursor-paged list with its text query. Every
//! response carries a `traceId` (body and `X-Trace-Id` header).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ivorey_core::{Clock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, VERSION};

on_both_backends!(
    a_created_contact_has_the_highlevel_shape,
    an_update_keeps_absent_fields_and_clears_nulls,
    a_deleted_contact_is_gone,
    a_contact_of_another_location_is_not_found,
    invalid_contacts_are_refused_naming_each_problem,
    paging_with_the_cursor_returns_every_contact_once_in_order,
    the_query_matches_the_starts_of_words_of_name_email_and_phone_in_any_case,
    contacts_added_while_paging_cause_no_duplicates_or_gaps,
);

/// A location's admin and a token with both contact scopes.
struct Tenant {
    location: String,
    token: String,
}

async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Contacts").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    Tenant {
        location: admin.location,
        token,
    }
}

/// An API call that checks the trace id every response must carry.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("Version", VERSION);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let header = response.headers().get("x-trace-id").cloned();
    let body: Value = response.json().await.expect("a JSON body");
    let trace = body["traceId"].as_str().unwrap_or_default();
    assert!(
        trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()),
        "traceId: {body}"
    );
    assert_eq!(header.as_ref().and_then(|h| h.to_str().ok()), Some(trace));
    (status, body)
}

async fn create(app: &TestApp, t: &Tenant, fields: Value) -> Value {
    let mut body = fields;
    body["locationId"] = json!(t.location);
    let (status, created) = call(app, &t.token, Method::POST, "/contacts/", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["contact"].clone()
}

fn is_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 20 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, as HighLevel writes dates.
fn is_rfc3339_millis(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let shape = s.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        19 => b == b'.',
        23 => b == b'Z',
        _ => b.is_ascii_digit(),
    });
    s.len() == 24 && shape && Timestamp::parse_rfc3339(s).is_some()
}

async fn a_created_contact_has_the_highlevel_shape(app: TestApp) {
    let t = tenant(&app).await;
    let contact = create(
        &app,
        &t,
        json!({"firstName": " Rosan ", "lastName": "Deo", "email": "Rosan@Example.com",
               "phone": "+1 888-888-8888", "tags": ["VIP", "vip", " Lead ", "LEAD"],
               "customFields": [{"id": "favColor", "field_value": "teal"}]}),
    )
    .await;
    assert!(is_id(&contact["id"]), "{contact}");
    assert_eq!(contact["locationId"], t.location.as_str());
    assert_eq!(contact["firstName"], "Rosan");
    assert_eq!(contact["name"], "Rosan Deo");
    assert_eq!(contact["email"], "Rosan@Example.com");
    assert_eq!(contact["emailLowerCase"], "rosan@example.com");
    assert_eq!(contact["tags"], json!(["vip", "lead"]));
    assert_eq!(
        contact["customFields"],
        json!([{"id": "favColor", "value": "teal"}])
    );
    assert!(is_rfc3339_millis(&contact["dateAdded"]), "{contact}");
    assert_eq!(contact["dateAdded"], app.clock.now().to_rfc3339().as_str());
    assert_eq!(contact["dateUpdated"], contact["dateAdded"]);
    // GET returns the same record.
    let path = format!("/contacts/{}", contact["id"].as_str().unwrap());
    let (status, got) = call(&app, &t.token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["contact"], contact);
}

async fn an_update_keeps_absent_fields_and_clears_nulls(app: TestApp) {
    let t = tenant(&app).await;
    let fields = json!({"firstName": "Ada", "email": "ada@x.io", "city": "Paris", "tags": ["a"]});
    let before = create(&app, &t, fields).await;
    let path = format!("/contacts/{}", before["id"].as_str().unwrap());
    app.clock.advance(Duration::from_secs(5));
    let change = json!({"lastName": "Lovelace", "city": null, "tags": ["B", "b", "c"]});
    let (status, body) = call(&app, &t.token, Method::PUT, &path, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["succeded"], true, "HighLevel's spelling: {body}");
    let after = &body["contact"];
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["firstName"], "Ada", "absent: kept");
    assert_eq!(after["email"], "ada@x.io", "absent: kept");
    assert_eq!(after["lastName"], "Lovelace");
    assert!(after.get("city").is_none(), "null: cleared: {after}");
    assert_eq!(after["tags"], json!(["b", "c"]));
    assert_eq!(after["dateAdded"], before["dateAdded"]);
    assert_eq!(after["dateUpdated"], app.clock.now().to_rfc3339().as_str());
    let (_, got) = call(&app, &t.token, Method::GET, &path, None).await;
    assert_eq!(&got["contact"], after, "the update was stored");
    // The update body has no locationId (the contact's location comes from the token).
    let moved = Some(json!({"locationId": t.location}));
    let (status, body) = call(&app, &t.token, Method::PUT, &path, moved).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn a_deleted_contact_is_gone(app: TestApp) {
    let t = tenant(&app).await;
    let contact = create(&app, &t, json!({"firstName": "Gone"})).await;
    let path = format!("/contacts/{}", contact["id"].as_str().unwrap());
    let (status, body) = call(&app, &t.token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let mut without_trace = body.clone();
    without_trace.as_object_mut().unwrap().remove("traceId");
    assert_eq!(without_trace, json!({"succeded": true}));
    for method in [Method::GET, Method::DELETE, Method::PUT] {
        let body = (method == Method::PUT).then(|| json!({"firstName": "Back"}));
        let (status, body) = call(&app, &t.token, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["message"], "Contact not found");
    }
}

async fn a_contact_of_another_location_is_not_found(app: TestApp) {
    let (ours, theirs) = (tenant(&app).await, tenant(&app).await);
    let contact = create(&app, &theirs, json!({"firstName": "Private"})).await;
    let path = format!("/contacts/{}", contact["id"].as_str().unwrap());
    let missing = "/contacts/AAAAAAAAAAAAAAAAAAAA";
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| json!({"firstName": "Stolen"}));
        let (status, answer) = call(&app, &ours.token, method.clone(), &path, body.clone()).await;
        let (_, absent) = call(&app, &ours.token, method, missing, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
        assert_eq!(answer["message"], absent["message"], "indistinguishable");
    }
    let list = format!("/contacts/?locationId={}", theirs.location);
    let (status, body) = call(&app, &ours.token, Method::GET, &list, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, got) = call(&app, &theirs.token, Method::GET, &path, None).await;
    assert_eq!(got["contact"]["firstName"], "Private", "untouched");
}

async fn invalid_contacts_are_refused_naming_each_problem(app: TestApp) {
    let t = tenant(&app).await;
    let bad = json!({"locationId": t.location, "email": "nope", "phone": "call me"});
    let (status, body) = call(&app, &t.token, Method::POST, "/contacts/", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages = body["message"].as_array().expect("a list of messages");
    assert_eq!(messages.len(), 2, "{body}");
    assert_eq!(body["error"], "Unprocessable Entity");
    for (field, body) in [
        (
            "contact",
            json!({"locationId": t.location, "city": "Nowhere"}),
        ),
        ("locationId", json!({"firstName": "NoLocation"})),
        (
            "nickname",
            json!({"locationId": t.location, "nickname": "x"}),
        ),
    ] {
        let (status, body) = call(&app, &t.token, Method::POST, "/contacts/", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["message"].to_string().contains(field), "{body}");
    }
    let list = format!("/contacts/?locationId={}&limit=101", t.location);
    let (status, _) = call(&app, &t.token, Method::GET, &list, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let wordy = format!(
        "/contacts/?locationId={}&query=a+b+c+d+e+f+g+h+i",
        t.location
    );
    let (status, body) = call(&app, &t.token, Method::GET, &wordy, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].to_string().contains("at most 8 words"),
        "{body}"
    );
}

/// Creates `n` contacts, three per millisecond (ties are ordered by id); returns their ids in
/// list order: by `dateAdded`, then id.
async fn seed(app: &TestApp, t: &Tenant, n: usize) -> Vec<String> {
    let mut made = Vec::new();
    for i in 0..n {
        if i % 3 == 0 {
            app.clock.advance(Duration::from_millis(1));
        }
        let c = create(app, t, json!({"firstName": format!("Seed{i}")})).await;
        made.push((app.clock.now(), c["id"].as_str().unwrap().to_owned()));
    }
    made.sort();
    made.into_iter().map(|(_, id)| id).collect()
}

/// Follows `meta.startAfter`/`startAfterId` from the first page to the one without a cursor,
/// checking the cursor fields of each page; returns each page's ids.
async fn page_through(app: &TestApp, t: &Tenant, params: &str) -> Vec<Vec<String>> {
    let first = format!("/contacts/?locationId={}{params}", t.location);
    let mut path = Some(first.clone());
    let mut pages = Vec::new();
    while let Some(current) = path.take() {
        assert!(pages.len() < 1_000, "paging does not end");
        let (status, body) = call(app, &t.token, Method::GET, &current, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ids: Vec<String> = body["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        let meta = &body["meta"];
        assert_eq!(body["count"], meta["total"]);
        if let (Some(at), Some(id)) = (meta["startAfter"].as_i64(), meta["startAfterId"].as_str()) {
            assert_eq!(ids.last().map(String::as_str), Some(id), "{meta}");
            let cursor = format!("startAfter={at}&startAfterId={id}");
            let url = meta["nextPageUrl"].as_str().expect("nextPageUrl");
            assert!(url.contains(&cursor), "{url}");
            path = Some(format!("{first}&{cursor}"));
        } else {
            assert!(
                meta["startAfterId"].is_null() && meta["nextPageUrl"].is_null(),
                "{meta}"
            );
        }
        pages.push(ids);
    }
    pages
}

async fn paging_with_the_cursor_returns_every_contact_once_in_order(app: TestApp) {
    let t = tenant(&app).await;
    let other = tenant(&app).await;
    seed(&app, &other, 4).await;
    let expected = seed(&app, &t, 45).await;
    let pages = page_through(&app, &t, "&limit=20").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(
        pages.concat(),
        expected,
        "every contact once, by dateAdded then id"
    );
    let list = format!("/contacts/?locationId={}&limit=20", t.location);
    let (_, body) = call(&app, &t.token, Method::GET, &list, None).await;
    let totals = (body["count"].as_u64(), body["meta"]["total"].as_u64());
    assert_eq!(totals, (Some(45), Some(45)));
    // Without a limit, pages hold 20; a last page that is exactly full is followed by an
    // empty one without a cursor.
    let extra = seed(&app, &t, 15).await;
    let pages = page_through(&app, &t, "").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [20, 20, 20, 0]);
    assert_eq!(pages.concat(), [expected, extra].concat());
}

async fn the_query_matches_the_starts_of_words_of_name_email_and_phone_in_any_case(app: TestApp) {
    let t = tenant(&app).await;
    let zelda = create(
        &app,
        &t,
        json!({"firstName": "Zelda", "lastName": "Fitzgerald"}),
    )
    .await;
    let marco = create(&app, &t, json!({"email": "Marco.Polo@Travel.IO"})).await;
    let phone = create(
        &app,
        &t,
        json!({"phone": "+1 555-0100", "firstName": "Pat"}),
    )
    .await;
    let pct = create(
        &app,
        &t,
        json!({"firstName": "Ed", "companyName": "100% Inc"}),
    )
    .await;
    let id = |c: &Value| c["id"].as_str().unwrap().to_owned();
    for (query, expected) in [
        ("zELDA%20fitz", vec![id(&zelda)]),
        ("FITZGERALD", vec![id(&zelda)]),
        ("travel.io", vec![id(&marco)]),
        ("MARCO.polo", vec![id(&marco)]),
        ("555-01", vec![id(&phone)]),
        ("5550100", vec![id(&phone)]),
        ("nobody", vec![]),
        // The starts of words, not any substring.
        ("itzgerald", vec![]),
        ("100%25+inc", vec![id(&pct)]),
        // No letter or digit: nothing (LIKE wildcards are not patterns).
        ("%25", vec![]),
        ("_", vec![]),
    ] {
        let pages = page_through(&app, &t, &format!("&limit=1&query={query}")).await;
        assert_eq!(pages.concat(), expected, "query {query}");
        let list = format!("/contacts/?locationId={}&query={query}", t.location);
        let (_, body) = call(&app, &t.token, Method::GET, &list, None).await;
        assert_eq!(body["count"], expected.len(), "query {query}: {body}");
    }
}

async fn contacts_added_while_paging_cause_no_duplicates_or_gaps(app: TestApp) {
    let t = tenant(&app).await;
    let existing = seed(&app, &t, 50).await;
    // A writer adds contacts while the pages are read: some at the instant of the cursor,
    // most later (the clock moves every other contact).
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (http, url, clock, stop) = (
            app.http.clone(),
            app.url("/contacts/"),
            app.clock.clone(),
            stop.clone(),
        );
        let (token, location) = (t.token.clone(), t.location.clone());
        async move {
            let mut added = 0;
            while added < 200 && !stop.load(Ordering::SeqCst) {
                let body = json!({"locationId": location, "firstName": format!("New{added}")});
                let request = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("Version", VERSION);
                let response = request.json(&body).send().await.expect("create");
                assert_eq!(response.status(), StatusCode::CREATED);
                added += 1;
                if added % 2 == 0 {
                    clock.advance(Duration::from_millis(1));
                }
            }
            added
        }
    });
    let pages = page_through(&app, &t, "&limit=5").await;
    stop.store(true, Ordering::SeqCst);
    let added = writer.await.expect("writer");
    let listed = pages.concat();
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a contact was listed twice");
    // Every contact that existed before paging is listed, in list order (new ones may sit
    // between them: those created in the same millisecond sort by id).
    let mut rest = listed.iter();
    for id in &existing {
        assert!(
            rest.any(|l| l == id),
            "{id} was skipped or listed out of order"
        );
    }
    // How many new contacts land on later pages depends on timing; that writes ran
    // concurrently with the paging is what matters.
    assert!(added > 0, "no contact was added while paging");
}
