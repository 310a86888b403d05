//! Recording manual payments: partial then full, overpayment and currency refusals.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Tenant, create_order, get_ok, spec, tenant};
use crate::common::TestApp;

pub(crate) async fn pay(
    app: &TestApp,
    t: &Tenant,
    order: &str,
    body: Value,
) -> (StatusCode, Value) {
    let path = format!("/payments/orders/{order}/record-payment");
    app.api(&t.token, Method::POST, &path, Some(body)).await
}

async fn order_json(app: &TestApp, t: &Tenant, order: &str) -> Value {
    let path = format!(
        "/payments/orders/{order}?altId={}&altType=location",
        t.location
    );
    get_ok(app, &t.token, &path, "/payments/orders/{orderId}").await
}

async fn transactions(app: &TestApp, t: &Tenant, filter: &str) -> Value {
    let path = format!(
        "/payments/transactions?altId={}&altType=location{filter}",
        t.location
    );
    get_ok(app, &t.token, &path, "/payments/transactions").await
}

pub async fn a_payment_in_parts_moves_the_order_to_paid(app: TestApp) {
    let t = tenant(&app).await;
    let items = json!([{"name": "Consulting", "quantity": 3, "unitPrice": 3333}]); // 99.99
    let order = create_order(&app, &t, &t.contact, items).await;
    let body = json!({"altId": t.location, "altType": "location", "mode": "cash",
        "amount": 40.01, "isPartialPayment": true, "notes": "deposit"});
    let (status, paid) = pay(&app, &t, &order, body).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    spec::check(
        "payments.json",
        &Method::POST,
        "/payments/orders/{orderId}/record-payment",
        status,
        &paid,
    );
    assert_eq!(
        (paid["success"].as_bool(), paid["status"].as_str()),
        (Some(true), Some("partially_paid"))
    );
    let now = order_json(&app, &t, &order).await;
    assert_eq!(
        (now["status"].as_str(), now["amountPaid"].to_string()),
        (Some("partially_paid"), "40.01".into())
    );
    assert_eq!(now["amountDue"].to_string(), "59.98");

    app.clock.advance(std::time::Duration::from_millis(10));
    // Without an amount, the rest is paid; by card, with its details kept.
    let body = json!({"altId": t.location, "altType": "location", "mode": "card",
        "card": {"type": "visa", "last4": "4242"}});
    let (status, full) = pay(&app, &t, &order, body).await;
    assert_eq!(
        (status, full["status"].as_str()),
        (StatusCode::OK, Some("paid")),
        "{full}"
    );
    let now = order_json(&app, &t, &order).await;
    assert_eq!(
        (now["status"].as_str(), now["amountDue"].to_string()),
        (Some("paid"), "0".into())
    );

    let listed = transactions(&app, &t, &format!("&entityId={order}")).await;
    assert_eq!(listed["totalCount"], 2);
    assert_eq!(listed["data"][0]["amount"].to_string(), "59.98");
    assert_eq!(listed["data"][0]["paymentMethod"]["card"]["last4"], "4242");
    assert_eq!(listed["data"][1]["amount"].to_string(), "40.01");
    assert_eq!(listed["data"][1]["status"], "succeeded");
    let cash = transactions(&app, &t, "&paymentMode=cash&limit=1&offset=0").await;
    assert_eq!(cash["totalCount"], 1);
    let txn = full["transactionId"].as_str().expect("transactionId");
    let path = format!(
        "/payments/transactions/{txn}?altId={}&altType=location",
        t.location
    );
    let one = get_ok(
        &app,
        &t.token,
        &path,
        "/payments/transactions/{transactionId}",
    )
    .await;
    assert_eq!(
        (one["_id"].as_str(), one["entityId"].as_str()),
        (Some(txn), Some(order.as_str()))
    );
    assert_eq!(one["contactId"], t.contact.as_str());
    // A paid order takes no more.
    let body = json!({"altId": t.location, "altType": "location", "mode": "cash", "amount": 1});
    let (status, _) = pay(&app, &t, &order, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn an_overpayment_or_a_bad_currency_is_refused_and_nothing_written(app: TestApp) {
    let t = tenant(&app).await;
    let order = create_order(
        &app,
        &t,
        &t.contact,
        json!([{"name": "Box", "unitPrice": 1000}]),
    )
    .await;
    let loc = &t.location;
    let refused = [
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 10.01}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 5, "currency": "EUR"}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 5, "currency": "XYZ"}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 0.001}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": -1}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": "5"}),
        json!({"altId": loc, "altType": "location", "mode": "barter", "amount": 5}),
        json!({"altId": loc, "altType": "location", "amount": 5}),
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 5, "isPartialPayment": false}),
        json!({"altId": loc, "altType": "location", "mode": "card", "card": {"type": "visa", "last4": "42"}}),
        json!({"altId": loc, "altType": "company", "mode": "cash"}),
    ];
    for body in refused {
        let (status, answer) = pay(&app, &t, &order, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(answer["message"].is_array(), "{answer}");
    }
    let (_, answer) = pay(
        &app,
        &t,
        &order,
        json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 10.01}),
    )
    .await;
    assert!(
        answer["message"][0].as_str().unwrap().contains("10.00 USD"),
        "{answer}"
    );
    let now = order_json(&app, &t, &order).await;
    assert_eq!(
        (now["status"].as_str(), now["amountPaid"].to_string()),
        (Some("pending"), "0".into())
    );
    assert_eq!(transactions(&app, &t, "").await["totalCount"], 0);
    // A bad currency on the order itself is refused when it is made.
    let path = format!("/manage/locations/{loc}/orders");
    let bad = json!({"contactId": t.contact, "currency": "USX", "items": [{"name": "A", "unitPrice": 1}]});
    let (status, body) = app
        .manage(&t.admin.session, Method::POST, &path, Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("currency"), "{body}");
    let (_, listed) = app.manage(&t.admin.session, Method::GET, &path, None).await;
    assert_eq!(listed["total"], 1);
}
