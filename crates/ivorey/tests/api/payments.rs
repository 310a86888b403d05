//! Payments over real HTTP, on both backends: orders made through the management API, listed
//! and read through HighLevel's paths with offset paging and filters, manual payments recorded
//! partially then in full, overpayments and bad currencies refused with nothing written, and
//! refusals. Every successful public response is checked against HighLevel's schema.

mod recording;
mod refusals;

use recording::*;
use refusals::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp};
use crate::spec;

on_both_backends!(
    orders_are_listed_newest_first_with_offset_paging_and_filters,
    a_payment_in_parts_moves_the_order_to_paid,
    an_overpayment_or_a_bad_currency_is_refused_and_nothing_written,
    every_endpoint_refuses_a_token_without_its_scope_or_location,
);

/// A location with a token holding every payments scope and the contact scopes.
#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) admin: Admin,
    pub(crate) location: String,
    pub(crate) token: String,
    pub(crate) contact: String,
}

pub(crate) async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Payments").await;
    let scopes = [
        "payments/orders.readonly",
        "payments/orders.collectPayment",
        "payments/transactions.readonly",
        "contacts.write",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    let contact = app.contact(&token, &admin.location, "Ada").await;
    Tenant {
        location: admin.location.clone(),
        admin,
        token,
        contact,
    }
}

/// Creates an order as the tenant's admin (unit prices in minor units); returns its id.
pub(crate) async fn create_order(app: &TestApp, t: &Tenant, contact: &str, items: Value) -> String {
    let path = format!("/manage/locations/{}/orders", t.location);
    let body = json!({ "contactId": contact, "currency": "USD", "items": items });
    let (status, body) = app
        .manage(&t.admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["order"]["_id"].as_str().expect("order id").to_owned()
}

/// A GET that must succeed, checked against the upstream schema of `spec_path`.
pub(crate) async fn get_ok(app: &TestApp, token: &str, path: &str, spec_path: &str) -> Value {
    let (status, body) = app.api(token, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    spec::check("payments.json", &Method::GET, spec_path, status, &body);
    body
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|o| o["_id"].as_str().expect("_id").to_owned())
        .collect()
}

async fn orders_are_listed_newest_first_with_offset_paging_and_filters(app: TestApp) {
    let t = tenant(&app).await;
    let bob = app.contact(&t.token, &t.location, "Bob").await;
    let mut made = Vec::new();
    for i in 0..5 {
        let contact = if i == 4 { &bob } else { &t.contact };
        let items = json!([{"name": format!("Widget {i}"), "quantity": 2, "unitPrice": 1999}]);
        made.push(create_order(&app, &t, contact, items).await);
        app.clock.advance(std::time::Duration::from_millis(10));
    }
    made.reverse(); // newest first
    let base = format!("/payments/orders?altId={}&altType=location", t.location);
    let all = get_ok(&app, &t.token, &base, "/payments/orders").await;
    assert_eq!(
        (ids(&all), all["totalCount"].as_u64()),
        (made.clone(), Some(5))
    );
    assert_eq!(all["data"][0]["amount"].to_string(), "39.98");
    assert_eq!(all["data"][0]["status"], "pending");
    // Offset paging: two pages of two and a last of one, no gaps or repeats.
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let page = get_ok(
            &app,
            &t.token,
            &format!("{base}&limit=2&offset={offset}"),
            "/payments/orders",
        )
        .await;
        assert_eq!(page["totalCount"], 5);
        seen.extend(ids(&page));
    }
    assert_eq!(seen, made);
    // The Node SDK's listOrders sends no altType.
    let no_type = format!("/payments/orders?altId={}", t.location);
    assert_eq!(
        ids(&get_ok(&app, &t.token, &no_type, "/payments/orders").await),
        made
    );
    let by_contact = get_ok(
        &app,
        &t.token,
        &format!("{base}&contactId={bob}"),
        "/payments/orders",
    )
    .await;
    assert_eq!(ids(&by_contact), [made[0].clone()]);
    let search = get_ok(
        &app,
        &t.token,
        &format!("{base}&search=widget%202"),
        "/payments/orders",
    )
    .await;
    assert_eq!(ids(&search), [made[2].clone()]);
    let paid = get_ok(
        &app,
        &t.token,
        &format!("{base}&status=paid"),
        "/payments/orders",
    )
    .await;
    assert_eq!(paid["totalCount"], 0);
    let created: Vec<String> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["createdAt"].as_str().unwrap().to_owned())
        .collect();
    let window = format!("{base}&startAt={}&endAt={}", created[3], created[1]);
    let windowed = get_ok(
        &app,
        &t.token,
        &window.replace('+', "%2B"),
        "/payments/orders",
    )
    .await;
    assert_eq!(
        ids(&windowed),
        [made[2].clone(), made[3].clone()],
        "startAt inclusive, endAt exclusive"
    );
    for bad in [
        "&limit=0",
        "&limit=101",
        "&status=shipped",
        "&altType=company",
    ] {
        let (status, body) = app
            .api(&t.token, Method::GET, &format!("{base}{bad}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["message"].is_array(), "{body}");
    }
    let one = get_ok(
        &app,
        &t.token,
        &format!("/payments/orders/{}?altId={}", made[0], t.location),
        "/payments/orders/{orderId}",
    )
    .await;
    assert_eq!(one["_id"], made[0].as_str());
    assert_eq!(one["contactId"], bob.as_str());
    assert_eq!(one["items"][0]["price"]["amount"].to_string(), "19.99");
    assert_eq!(one["items"][0]["qty"], 2);
}
