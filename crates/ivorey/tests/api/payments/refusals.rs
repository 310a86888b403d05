//! Every payments endpoint without its scope (401, nothing changed) and against another
//! location (403 for a foreign altId, 404 identical to a missing id for its records).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{create_order, get_ok, tenant};
use crate::common::TestApp;

pub async fn every_endpoint_refuses_a_token_without_its_scope_or_location(app: TestApp) {
    let t = tenant(&app).await;
    let other = tenant(&app).await;
    let order = create_order(
        &app,
        &t,
        &t.contact,
        json!([{"name": "A", "unitPrice": 500}]),
    )
    .await;
    let pay = |loc: &str| json!({"altId": loc, "altType": "location", "mode": "cash", "amount": 1});
    let (status, paid) = app
        .api(
            &t.token,
            Method::POST,
            &format!("/payments/orders/{order}/record-payment"),
            Some(pay(&t.location)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let txn = paid["transactionId"].as_str().unwrap().to_owned();
    let (_, no_payments) = app.integration(&t.admin, &["contacts.readonly"]).await;
    let loc = &t.location;
    let q = format!("altId={loc}&altType=location");
    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/payments/orders?{q}"), None),
        (Method::GET, format!("/payments/orders/{order}?{q}"), None),
        (
            Method::POST,
            format!("/payments/orders/{order}/record-payment"),
            Some(pay(loc)),
        ),
        (Method::GET, format!("/payments/transactions?{q}"), None),
        (
            Method::GET,
            format!("/payments/transactions/{txn}?{q}"),
            None,
        ),
    ];
    for (method, path, body) in &endpoints {
        let (status, answer) = app
            .api(&no_payments, method.clone(), path, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {answer}");
        assert_eq!(
            answer["message"],
            "The token is not authorized for this scope."
        );
        // This token naming the other location: 403.
        let foreign_path = path.replace(loc.as_str(), &other.location);
        let foreign_body = body.as_ref().map(|_| pay(&other.location));
        let (status, answer) = app
            .api(&t.token, method.clone(), &foreign_path, foreign_body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{foreign_path}: {answer}");
    }
    // The other location's token, on its own altId, finds these records exactly as missing ones.
    let oq = format!("altId={}&altType=location", other.location);
    let pairs = [
        (
            Method::GET,
            format!("/payments/orders/{order}?{oq}"),
            format!("/payments/orders/abcdefghij0123456789?{oq}"),
            None,
        ),
        (
            Method::POST,
            format!("/payments/orders/{order}/record-payment"),
            "/payments/orders/abcdefghij0123456789/record-payment".to_owned(),
            Some(pay(&other.location)),
        ),
        (
            Method::GET,
            format!("/payments/transactions/{txn}?{oq}"),
            format!("/payments/transactions/abcdefghij0123456789?{oq}"),
            None,
        ),
    ];
    for (method, theirs, missing, body) in pairs {
        let (s1, mut b1) = app
            .api(&other.token, method.clone(), &theirs, body.clone())
            .await;
        let (s2, mut b2) = app.api(&other.token, method.clone(), &missing, body).await;
        assert_eq!(
            (s1, s2),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            "{theirs}: {b1}"
        );
        b1["traceId"] = json!(null);
        b2["traceId"] = json!(null);
        assert_eq!(b1, b2);
    }
    let theirs = get_ok(
        &app,
        &other.token,
        &format!("/payments/orders?{oq}"),
        "/payments/orders",
    )
    .await;
    assert_eq!(theirs["totalCount"], 0);
    // Nothing changed: one order with one payment of 1.00.
    let mine = get_ok(
        &app,
        &t.token,
        &format!("/payments/orders/{order}?{q}"),
        "/payments/orders/{orderId}",
    )
    .await;
    assert_eq!(mine["amountPaid"], 1);
    let txns = get_ok(
        &app,
        &t.token,
        &format!("/payments/transactions?{q}"),
        "/payments/transactions",
    )
    .await;
    assert_eq!(txns["totalCount"], 1);
    // Missing altId: 422.
    let (status, _) = app
        .api(&t.token, Method::GET, "/payments/orders", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another location's admin cannot make orders here.
    let path = format!("/manage/locations/{loc}/orders");
    let body = json!({"contactId": t.contact, "currency": "USD", "items": [{"name": "A", "unitPrice": 1}]});
    let (status, _) = app
        .manage(&other.admin.session, Method::POST, &path, Some(body))
        .await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
}
