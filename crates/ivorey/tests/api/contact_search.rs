//! `POST /contacts/search` and `GET /contacts/search/duplicate` on both backends: filters,
//! sort, page and keyset paging (stable under concurrent inserts), 422s naming the field,
//! refusals, and the same answers from SQLite and PostgreSQL on the same data.

use std::collections::HashSet;
use std::time::Duration;

use ivorey_core::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    filters_narrow_the_search_and_sort_orders_it,
    search_after_pages_have_no_gaps_or_repeats_under_concurrent_inserts,
    page_numbers_and_totals_follow_the_page_limit,
    bad_search_bodies_get_422_naming_the_field,
    duplicate_search_finds_by_email_then_number,
    search_needs_contacts_readonly_and_the_tokens_location,
);

const READ_WRITE: &[&str] = &["contacts.readonly", "contacts.write"];

async fn search(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, answer) = app
        .api(token, Method::POST, "/contacts/search", Some(body))
        .await;
    spec::check(
        "contacts.json",
        &Method::POST,
        "/contacts/search",
        status,
        &answer,
    );
    (status, answer)
}

/// Creates a contact one second after the previous one; returns its id.
async fn make(app: &TestApp, token: &str, location: &str, mut body: Value) -> String {
    app.clock.advance(Duration::from_secs(1));
    body["locationId"] = location.into();
    let (status, created) = app.api(token, Method::POST, "/contacts/", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["contact"]["id"].as_str().unwrap().to_owned()
}

fn first_names(answer: &Value) -> Vec<String> {
    answer["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["firstName"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A small location: five people with tags, emails and phones.
async fn people(app: &TestApp, token: &str, loc: &str) -> i64 {
    let start = app.clock.now().millis();
    make(app, token, loc, json!({"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0001", "tags": ["vip", "math"]})).await;
    make(app, token, loc, json!({"firstName": "bob", "lastName": "Builder", "email": "bob@example.com", "tags": ["lead"]})).await;
    make(app, token, loc, json!({"firstName": "Cleo", "lastName": "Patra", "phone": "+20 2 0000 0003", "tags": ["vip"]})).await;
    make(
        app,
        token,
        loc,
        json!({"firstName": "Dan", "lastName": "Brown", "companyName": "Acme Books"}),
    )
    .await;
    make(app, token, loc, json!({"firstName": "Eve", "lastName": "Adams", "email": "eve@acme.io", "tags": ["lead", "vip"]})).await;
    start
}

async fn names_for(app: &TestApp, token: &str, loc: &str, extra: Value) -> Vec<String> {
    let mut body = json!({"locationId": loc, "sort": [{"field": "dateAdded", "direction": "asc"}]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, answer) = search(app, token, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body} -> {answer}");
    first_names(&answer)
}

async fn filters_narrow_the_search_and_sort_orders_it(app: TestApp) {
    let admin = app.new_admin("Search").await;
    let other = app.new_admin("Other").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let (_, other_token) = app.integration(&other, READ_WRITE).await;
    let loc = admin.location.as_str();
    make(
        &app,
        &other_token,
        &other.location,
        json!({"firstName": "Ada", "tags": ["vip"]}),
    )
    .await;
    let start = people(&app, &token, loc).await;
    let f = |field: &str, operator: &str, value: Value| json!({"filters": [{"field": field, "operator": operator, "value": value}]});
    let cases = [
        (json!({}), vec!["Ada", "bob", "Cleo", "Dan", "Eve"]),
        (
            f("tags", "contains", json!(["VIP"])),
            vec!["Ada", "Cleo", "Eve"],
        ),
        (f("tags", "contains", json!(["vip", "lead"])), vec!["Eve"]),
        (f("tags", "not_contains", json!("vip")), vec!["bob", "Dan"]),
        (f("email", "eq", json!("EVE@acme.io")), vec!["Eve"]),
        (f("email", "exists", Value::Null), vec!["Ada", "bob", "Eve"]),
        (f("email", "not_exists", Value::Null), vec!["Cleo", "Dan"]),
        (f("phone", "eq", json!("+442079460001")), vec!["Ada"]),
        (
            f("phone", "not_exists", Value::Null),
            vec!["bob", "Dan", "Eve"],
        ),
        (f("firstName", "eq", json!("BOB")), vec!["bob"]),
        (f("lastNameLowerCase", "eq", json!("patra")), vec!["Cleo"]),
        (
            f(
                "dateAdded",
                "range",
                json!({"gt": start + 1000, "lte": start + 4000}),
            ),
            vec!["bob", "Cleo", "Dan"],
        ),
        (f("dateAdded", "lt", json!(start + 2000)), vec!["Ada"]),
        (json!({"query": "acme"}), vec!["Dan", "Eve"]),
        (json!({"query": "ADA"}), vec!["Ada", "Eve"]),
        (
            json!({"filters": [{"group": "OR", "filters": [
                {"field": "firstName", "operator": "eq", "value": "dan"},
                {"field": "tags", "operator": "contains", "value": "lead"}]},
                {"field": "email", "operator": "exists"}]}),
            vec!["bob", "Eve"],
        ),
    ];
    for (extra, expected) in cases {
        assert_eq!(
            names_for(&app, &token, loc, extra.clone()).await,
            expected,
            "{extra}"
        );
    }
    let sorted =
        |field: &str, direction: &str| json!({"sort": [{"field": field, "direction": direction}]});
    let by = names_for(&app, &token, loc, sorted("firstNameLowerCase", "asc")).await;
    assert_eq!(by, ["Ada", "bob", "Cleo", "Dan", "Eve"], "case-insensitive");
    let by = names_for(&app, &token, loc, sorted("lastNameLowerCase", "desc")).await;
    assert_eq!(by, ["Cleo", "Ada", "bob", "Dan", "Eve"]);
    let (_, newest) = search(&app, &token, json!({"locationId": loc})).await;
    assert_eq!(
        first_names(&newest),
        ["Eve", "Dan", "Cleo", "bob", "Ada"],
        "newest first by default"
    );
    assert_eq!(newest["total"], 5);
    let last = &newest["contacts"][4];
    assert_eq!(last["searchAfter"][1], last["id"]);
}

async fn search_after_pages_have_no_gaps_or_repeats_under_concurrent_inserts(app: TestApp) {
    let admin = app.new_admin("Keyset").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let loc = admin.location.as_str();
    let mut originals = HashSet::new();
    for i in 0..23 {
        originals.insert(make(&app, &token, loc, json!({"firstName": format!("P{i:02}")})).await);
    }
    for direction in ["asc", "desc"] {
        let mut seen = Vec::new();
        let mut after: Option<Value> = None;
        loop {
            let mut body = json!({"locationId": loc, "pageLimit": 5,
                "sort": [{"field": "dateAdded", "direction": direction}]});
            if let Some(after) = &after {
                body["searchAfter"] = after.clone();
            }
            let (status, page) = search(&app, &token, body).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let contacts = page["contacts"].as_array().unwrap().clone();
            // Someone adds a contact between pages (while the walk is still in the originals,
            // else an ascending walk would chase the newest contact forever).
            if seen.len() < originals.len() {
                make(&app, &token, loc, json!({"firstName": "Late"})).await;
            }
            let Some(last) = contacts.last() else { break };
            after = Some(last["searchAfter"].clone());
            seen.extend(
                contacts
                    .iter()
                    .map(|c| c["id"].as_str().unwrap().to_owned()),
            );
        }
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{direction}: no contact twice");
        assert!(
            originals.is_subset(&unique),
            "{direction}: every contact that existed was seen"
        );
    }
}

async fn page_numbers_and_totals_follow_the_page_limit(app: TestApp) {
    let admin = app.new_admin("Pages").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let loc = admin.location.as_str();
    people(&app, &token, loc).await;
    let asc = json!([{"field": "dateAdded", "direction": "asc"}]);
    let (_, second) = search(
        &app,
        &token,
        json!({"locationId": loc, "page": 2, "pageLimit": 2, "sort": asc}),
    )
    .await;
    assert_eq!(first_names(&second), ["Cleo", "Dan"]);
    assert_eq!(second["total"], 5);
    let (_, third) = search(
        &app,
        &token,
        json!({"locationId": loc, "page": 3, "pageLimit": 2, "sort": asc}),
    )
    .await;
    assert_eq!(first_names(&third), ["Eve"]);
    let (_, beyond) = search(
        &app,
        &token,
        json!({"locationId": loc, "page": 4, "pageLimit": 2}),
    )
    .await;
    assert_eq!(beyond["contacts"], json!([]));
    assert_eq!(beyond["total"], 5);
}

async fn bad_search_bodies_get_422_naming_the_field(app: TestApp) {
    let admin = app.new_admin("Bad").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let loc = admin.location.as_str();
    let cases = [
        (json!({"pageLimit": 501}), "pageLimit"),
        (json!({"pageLimit": 0}), "pageLimit"),
        (json!({"page": 0}), "page"),
        (json!({"page": 101, "pageLimit": 100}), "page"),
        (
            json!({"filters": [{"field": "shoeSize", "operator": "eq", "value": "9"}]}),
            "shoeSize",
        ),
        (
            json!({"filters": [{"field": "email", "operator": "like", "value": "a"}]}),
            "like",
        ),
        (
            json!({"filters": [{"field": "dateAdded", "operator": "range", "value": {"after": 1}}]}),
            "after",
        ),
        (
            json!({"filters": [{"field": "phone", "operator": "eq", "value": "none"}]}),
            "phone",
        ),
        (json!({"sort": [{"field": "city"}]}), "city"),
        (
            json!({"sort": [{"field": "dateAdded", "direction": "sideways"}]}),
            "sideways",
        ),
        (json!({"searchAfter": ["x", "y"]}), "searchAfter"),
        (json!({"query": "a\u{7}"}), "query"),
        (json!({"query": "a b c d e f g h i"}), "at most 8 words"),
        (json!({"limit": 5}), "limit"),
    ];
    for (extra, named) in cases {
        let mut body = extra.clone();
        body["locationId"] = loc.into();
        let (status, answer) = app
            .api(&token, Method::POST, "/contacts/search", Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{extra} -> {answer}"
        );
        assert!(
            answer["message"].to_string().contains(named),
            "{extra} -> {answer}"
        );
    }
    let (status, answer) = app
        .api(&token, Method::POST, "/contacts/search", Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["message"].to_string().contains("locationId"),
        "{answer}"
    );
}

async fn duplicate_search_finds_by_email_then_number(app: TestApp) {
    let admin = app.new_admin("Dupes").await;
    let (_, token) = app.integration(&admin, READ_WRITE).await;
    let loc = admin.location.as_str();
    let ada = make(
        &app,
        &token,
        loc,
        json!({"firstName": "Ada", "email": "ada@example.com"}),
    )
    .await;
    let bob = make(
        &app,
        &token,
        loc,
        json!({"firstName": "Bob", "phone": "+1 423 164 516"}),
    )
    .await;
    let dup = |query: &str| format!("/contacts/search/duplicate?locationId={loc}&{query}");
    let template = "/contacts/search/duplicate";
    for (query, expected) in [
        ("email=ADA%40example.com", Some(&ada)),
        ("number=%2B1423164516", Some(&bob)),
        ("email=ada%40example.com&number=%2B1423164516", Some(&ada)),
        (
            "email=nobody%40example.com&number=%2B1423164516",
            Some(&bob),
        ),
        ("email=nobody%40example.com", None),
    ] {
        let (status, answer) = app.api(&token, Method::GET, &dup(query), None).await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        spec::check("contacts.json", &Method::GET, template, status, &answer);
        assert_eq!(
            answer["contact"]["id"].as_str(),
            expected.map(String::as_str),
            "{query}"
        );
    }
    let (status, _) = app.api(&token, Method::GET, &dup("number=abc"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.api(&token, Method::GET, &dup("x=1"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn search_needs_contacts_readonly_and_the_tokens_location(app: TestApp) {
    let a = app.new_admin("A").await;
    let b = app.new_admin("B").await;
    let (_, writer_a) = app.integration(&a, &["contacts.write"]).await;
    let (_, reader_b) = app.integration(&b, &["contacts.readonly"]).await;
    make(
        &app,
        &writer_a,
        &a.location,
        json!({"firstName": "Secret", "email": "s@example.com"}),
    )
    .await;
    let search_body = json!({"locationId": a.location});
    let dup = format!(
        "/contacts/search/duplicate?locationId={}&email=s%40example.com",
        a.location
    );
    for (token, status) in [
        (&writer_a, StatusCode::UNAUTHORIZED),
        (&reader_b, StatusCode::FORBIDDEN),
    ] {
        let (got, body) = app
            .api(
                token,
                Method::POST,
                "/contacts/search",
                Some(search_body.clone()),
            )
            .await;
        assert_eq!(got, status, "{body}");
        let (got, body) = app.api(token, Method::GET, &dup, None).await;
        assert_eq!(got, status, "{body}");
        assert!(!body.to_string().contains("Secret"));
    }
    let (_, own) = search(&app, &reader_b, json!({"locationId": b.location})).await;
    assert_eq!(own["contacts"], json!([]), "b sees none of a's contacts");
}

/// The same contacts and searches on SQLite and PostgreSQL give the same answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_answer_searches_alike() {
    let Some(pg) = TestApp::postgres().await else {
        eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
        return;
    };
    let lite = TestApp::sqlite().await;
    let mut answers = Vec::new();
    for app in [&lite, &pg] {
        let admin = app.new_admin("Same").await;
        let (_, token) = app.integration(&admin, READ_WRITE).await;
        let loc = admin.location.as_str();
        people(app, &token, loc).await;
        for i in 0..12 {
            let tag = if i % 3 == 0 { "vip" } else { "cold" };
            make(app, &token, loc, json!({"firstName": format!("Z{}", 12 - i), "lastName": format!("L{}-{i:02}", i % 4), "tags": [tag]})).await;
        }
        let mut names = Vec::new();
        for body in [
            json!({"sort": [{"field": "lastNameLowerCase", "direction": "asc"}], "pageLimit": 50}),
            json!({"sort": [{"field": "firstNameLowerCase", "direction": "desc"}], "page": 2, "pageLimit": 4}),
            json!({"filters": [{"field": "tags", "operator": "contains", "value": "vip"}]}),
            json!({"filters": [{"group": "OR", "filters": [
                {"field": "lastName", "operator": "eq", "value": "l1-01"},
                {"field": "email", "operator": "exists"}]}], "query": "e"}),
        ] {
            let mut body = body;
            body["locationId"] = loc.into();
            let (_, answer) = search(app, &token, body).await;
            names.push((first_names(&answer), answer["total"].clone()));
        }
        answers.push(names);
    }
    assert_eq!(answers[0], answers[1]);
}
