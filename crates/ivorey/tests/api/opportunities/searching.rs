//! `GET` and `POST /opportunities/search`: each filter, the keyset cursor and page numbers.

use std::time::Duration;

use ivorey_core::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Tenant, call, create, id_of, pipeline, tenant};
use crate::common::TestApp;

fn ids(body: &Value) -> Vec<String> {
    let found = body["opportunities"].as_array().expect("opportunities");
    found.iter().map(id_of).collect()
}

/// The ids `GET /opportunities/search` finds with `params`, checking `meta.total` against them.
async fn found(app: &TestApp, t: &Tenant, params: &str) -> Vec<String> {
    let path = format!(
        "/opportunities/search?location_id={}&limit=100{params}",
        t.location
    );
    let (status, body) = call(app, &t.token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{params}: {body}");
    let mut found = ids(&body);
    assert_eq!(body["meta"]["total"], found.len(), "{params}: {body}");
    assert_eq!(body["aggregations"], json!({}));
    found.sort();
    found
}

/// The same through `POST /opportunities/search`.
async fn posted(app: &TestApp, t: &Tenant, filters: Value) -> Vec<String> {
    let mut body = json!({"locationId": t.location, "limit": 100});
    for (key, value) in filters.as_object().expect("filters").clone() {
        body[key] = value;
    }
    let path = "/opportunities/search";
    let (status, answer) = call(app, &t.token, Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{filters}: {answer}");
    let mut found = ids(&answer);
    assert_eq!(answer["total"], found.len(), "{filters}: {answer}");
    found.sort();
    found
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

pub(crate) async fn search_filters_each_narrow_the_result(app: TestApp) {
    let t = tenant(&app).await;
    let renewals = pipeline(&app, &t.location, "Renewals").await;
    let bob = app.contact(&t.token, &t.location, "Bob").await;
    let closed = t.pipeline.stages[3].id.to_string();
    let won = create(
        &app,
        &t,
        json!({"name": "Big 100% Deal", "status": "won",
        "pipelineStageId": closed, "assignedTo": "user-2"}),
    )
    .await;
    let renewal = create(
        &app,
        &t,
        json!({"name": "Small renewal deal", "pipelineId": renewals.id}),
    )
    .await;
    let bobs = create(&app, &t, json!({"name": "Other thing", "contactId": bob})).await;
    let [won, renewal, bobs] = [&won, &renewal, &bobs].map(id_of);
    let stage = t.pipeline.stages[0].id.to_string();
    for (params, filters, expected) in [
        (String::new(), json!({}), vec![&won, &renewal, &bobs]),
        (
            format!("&pipeline_id={}", renewals.id),
            json!({"pipelineId": renewals.id}),
            vec![&renewal],
        ),
        (
            format!("&pipeline_stage_id={closed}"),
            json!({"pipelineStageId": closed}),
            vec![&won],
        ),
        (
            format!("&pipeline_stage_id={stage}"),
            json!({"pipelineStageId": stage}),
            vec![&bobs],
        ),
        (
            format!("&contact_id={bob}"),
            json!({"contactId": bob}),
            vec![&bobs],
        ),
        (
            format!("&contact_id={}", t.contact),
            json!({"contactId": t.contact}),
            vec![&won, &renewal],
        ),
        ("&status=won".into(), json!({"status": "won"}), vec![&won]),
        (
            "&status=open".into(),
            json!({"status": "open"}),
            vec![&renewal, &bobs],
        ),
        (
            "&status=all".into(),
            json!({"status": "all"}),
            vec![&won, &renewal, &bobs],
        ),
        ("&status=lost".into(), json!({"status": "lost"}), vec![]),
        (
            "&assigned_to=user-2".into(),
            json!({"assignedTo": "user-2"}),
            vec![&won],
        ),
        (
            "&q=DEAL".into(),
            json!({"query": "DEAL"}),
            vec![&won, &renewal],
        ),
        ("&q=100%25".into(), json!({"query": "100%"}), vec![&won]),
        ("&q=_".into(), json!({"query": "_"}), vec![]),
        // Blank parameters are absent ones, as in HighLevel's own nextPageUrl.
        (
            "&pipeline_id=&q=&status=".into(),
            json!({}),
            vec![&won, &renewal, &bobs],
        ),
    ] {
        let expected = sorted(expected.into_iter().cloned().collect());
        assert_eq!(found(&app, &t, &params).await, expected, "GET {params}");
        assert_eq!(
            posted(&app, &t, filters.clone()).await,
            expected,
            "POST {filters}"
        );
    }
    // Filters combine.
    let both = format!("&contact_id={}&status=open", t.contact);
    assert_eq!(found(&app, &t, &both).await, [renewal]);
}

/// Creates `n` opportunities (each for a new contact), two per millisecond so ties are broken
/// by id; returns their ids in search order.
async fn seed(app: &TestApp, t: &Tenant, n: usize) -> Vec<String> {
    let mut made = Vec::new();
    for i in 0..n {
        if i % 2 == 0 {
            app.clock.advance(Duration::from_millis(1));
        }
        let contact = app.contact(&t.token, &t.location, &format!("C{i}")).await;
        let o = create(
            app,
            t,
            json!({"contactId": contact, "name": format!("Seed {i}")}),
        )
        .await;
        made.push((app.clock.now(), id_of(&o)));
    }
    made.sort();
    made.into_iter().map(|(_, id)| id).collect()
}

pub(crate) async fn paging_through_search_returns_every_opportunity_once_in_order(app: TestApp) {
    let t = tenant(&app).await;
    let other = tenant(&app).await;
    seed(&app, &other, 3).await;
    let expected = seed(&app, &t, 17).await;
    // Follow nextPageUrl from the first page to the last.
    let mut path = Some(format!(
        "/opportunities/search?location_id={}&limit=5&q=seed",
        t.location
    ));
    let (mut pages, mut page_no) = (Vec::new(), 1);
    while let Some(current) = path.take() {
        assert!(pages.len() < 10, "paging does not end");
        let (status, body) = call(&app, &t.token, Method::GET, &current, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let meta = &body["meta"];
        assert_eq!(
            (meta["total"].as_u64(), meta["currentPage"].as_u64()),
            (Some(17), Some(page_no))
        );
        assert_eq!(
            meta["prevPage"].as_u64(),
            (page_no > 1).then(|| page_no - 1),
            "{meta}"
        );
        let page = ids(&body);
        if let Some(url) = meta["nextPageUrl"].as_str() {
            assert_eq!(
                meta["startAfterId"].as_str(),
                page.last().map(String::as_str),
                "{meta}"
            );
            assert!(url.contains("q=seed") && url.contains("limit=5"), "{url}");
            assert!(
                meta["startAfter"].is_u64() && meta["nextPage"] == page_no + 1,
                "{meta}"
            );
            path = Some(url.to_owned());
        } else {
            for key in ["nextPageUrl", "startAfter", "startAfterId", "nextPage"] {
                assert!(
                    meta.get(key).is_none(),
                    "absent, not null, on the last page: {meta}"
                );
            }
        }
        pages.push(page);
        page_no += 1;
    }
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [5, 5, 5, 2], "no empty page after the last");
    assert_eq!(
        pages.concat(),
        expected,
        "every opportunity once, by createdAt then id"
    );
    // Page numbers without a cursor reach the same pages, in both searches.
    let third = format!(
        "/opportunities/search?location_id={}&limit=5&page=3",
        t.location
    );
    let (_, body) = call(&app, &t.token, Method::GET, &third, None).await;
    assert_eq!(ids(&body), pages[2]);
    let mut posted_pages = Vec::new();
    for page in 1..=4 {
        let query = json!({"locationId": t.location, "limit": 5, "page": page, "query": "seed"});
        let (status, body) = call(
            &app,
            &t.token,
            Method::POST,
            "/opportunities/search",
            Some(query),
        )
        .await;
        assert_eq!(
            (status, body["total"].as_u64()),
            (StatusCode::OK, Some(17)),
            "{body}"
        );
        posted_pages.push(ids(&body));
    }
    assert_eq!(posted_pages, pages);
    // searchAfter is the POST form of the keyset cursor.
    let last = pages[0].last().unwrap();
    let (_, first_page) = call(
        &app,
        &t.token,
        Method::GET,
        &format!("/opportunities/search?location_id={}&limit=5", t.location),
        None,
    )
    .await;
    let at = first_page["meta"]["startAfter"].as_i64().unwrap();
    let query =
        json!({"locationId": t.location, "limit": 5, "searchAfter": [at.to_string(), last]});
    let (status, body) = call(
        &app,
        &t.token,
        Method::POST,
        "/opportunities/search",
        Some(query),
    )
    .await;
    assert_eq!(
        (status, ids(&body)),
        (StatusCode::OK, pages[1].clone()),
        "{body}"
    );
    for bad in [
        "&limit=0",
        "&limit=101",
        "&page=0",
        "&startAfterId=AAAAAAAAAAAAAAAAAAAA",
        "&status=closed",
        "&pipeline_id=nope",
        "&order=desc",
        "&startAfter=x",
    ] {
        let path = format!("/opportunities/search?location_id={}{bad}", t.location);
        let (status, body) = call(&app, &t.token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
}
