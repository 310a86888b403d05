//! Payments through their pages, on both backends: orders a tool created are listed with their
//! contact, total, due amount and status, and filtered by status; an order's page shows its
//! items and records a partial payment, then the rest (the status follows), refusing an
//! overpayment beside the field with nothing written; transactions are listed and filtered by
//! how they were paid; another business's order is not found, and a forged post pays nothing.

use ivorey_core::LocationId;
use ivorey_core::ids::OrderId;
use ivorey_core::order::OrderStatus;
use ivorey_store::TransactionQuery;
use reqwest::StatusCode;
use serde_json::json;

use crate::browser_support::{get_page, post_form};
use crate::common::TestApp;
use crate::payments::{create_order, tenant};

on_both_backends!(
    orders_are_listed_and_paid_from_their_page,
    another_business_order_is_not_found_and_forged_posts_pay_nothing,
);

fn loc(location: &str) -> LocationId {
    LocationId::parse(location).expect("location id")
}

async fn orders_are_listed_and_paid_from_their_page(app: TestApp) {
    let t = tenant(&app).await;
    let cookie = t.admin.session.cookie.as_str();
    let csrf = t.admin.session.csrf.as_str();
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/payments", t.location)).await;
    assert!(page.contains("No orders yet"), "{page}");
    let items = json!([{ "name": "Wedding cake", "quantity": 1, "unitPrice": 45_000 },
                       { "name": "Cupcakes", "quantity": 24, "unitPrice": 250 }]);
    let order = create_order(&app, &t, &t.contact, items).await;
    let other = create_order(
        &app,
        &t,
        &t.contact,
        json!([{ "name": "Bread", "quantity": 2, "unitPrice": 400 }]),
    )
    .await;

    let (status, _, page) = get_page(&app, cookie, &format!("/l/{}/payments", t.location)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("2 orders") && page.contains("Wedding cake, Cupcakes"),
        "{page}"
    );
    assert!(
        page.contains("510.00 USD") && page.contains("Ada"),
        "{page}"
    );
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/payments?q=bread", t.location)).await;
    assert!(page.contains("1 order<") && page.contains(&other), "{page}");
    assert!(!page.contains("Wedding cake"), "{page}");

    // Record 100 of 510, then refuse 500 (more than the 410 due), then pay the rest.
    let order_page = format!("/l/{}/payments/orders/{order}", t.location);
    let (status, _, page) = get_page(&app, cookie, &order_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"510.00\"") && page.contains("Cupcakes"),
        "{page}"
    );
    let pay = format!("{order_page}/pay");
    let fields = [
        ("csrf", csrf),
        ("mode", "cash"),
        ("amount", "100"),
        ("notes", "Deposit"),
    ];
    let (status, _, _) = post_form(&app, cookie, &pay, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = OrderId::parse(&order).unwrap();
    let stored = app
        .store
        .get_order(&loc(&t.location), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.amount_paid, stored.status),
        (10_000, OrderStatus::PartiallyPaid)
    );
    let fields = [("csrf", csrf), ("mode", "card"), ("amount", "500")];
    let (status, _, page) = post_form(&app, cookie, &pay, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Amount must be at most the amount due, 410.00 USD"),
        "{page}"
    );
    let unchanged = app
        .store
        .get_order(&loc(&t.location), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.amount_paid, 10_000, "nothing written");
    let (_, _, page) = get_page(&app, cookie, &order_page).await;
    assert!(
        page.contains("value=\"410.00\"") && page.contains("Deposit"),
        "{page}"
    );
    let fields = [
        ("csrf", csrf),
        ("mode", "bank_transfer"),
        ("amount", "410.00"),
    ];
    let (status, _, _) = post_form(&app, cookie, &pay, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get_page(&app, cookie, &format!("{order_page}?done=paid")).await;
    assert!(
        page.contains("This order is paid in full") && page.contains("The payment was recorded"),
        "{page}"
    );

    // Transactions, and the filter by how they were paid.
    let query = TransactionQuery {
        order_id: Some(id.clone()),
        limit: 10,
        ..TransactionQuery::default()
    };
    assert_eq!(
        app.store
            .list_transactions(&loc(&t.location), &query)
            .await
            .unwrap()
            .total,
        2
    );
    let (_, _, page) = get_page(
        &app,
        cookie,
        &format!("/l/{}/payments/transactions", t.location),
    )
    .await;
    assert!(
        page.contains("2 transactions") && page.contains("Bank transfer"),
        "{page}"
    );
    let (_, _, page) = get_page(
        &app,
        cookie,
        &format!("/l/{}/payments/transactions?mode=cash", t.location),
    )
    .await;
    assert!(
        page.contains("1 transaction<")
            && page.contains("Deposit")
            && !page.contains("Bank transfer</td>"),
        "{page}"
    );
    let (_, _, page) = get_page(
        &app,
        cookie,
        &format!("/l/{}/payments?status=paid", t.location),
    )
    .await;
    assert!(page.contains(&order) && !page.contains(&other), "{page}");
}

async fn another_business_order_is_not_found_and_forged_posts_pay_nothing(app: TestApp) {
    let mine = tenant(&app).await;
    let theirs = tenant(&app).await;
    let their_order = create_order(
        &app,
        &theirs,
        &theirs.contact,
        json!([{ "name": "Secret", "quantity": 1, "unitPrice": 100 }]),
    )
    .await;
    let (cookie, csrf) = (
        mine.admin.session.cookie.as_str(),
        mine.admin.session.csrf.as_str(),
    );
    for id in [their_order.as_str(), "aaaaaaaaaaaaaaaaaaaaaaaa", "bad"] {
        let path = format!("/l/{}/payments/orders/{id}", mine.location);
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Secret"), "{path}");
        let (status, _, _) = post_form(
            &app,
            cookie,
            &format!("{path}/pay"),
            &[("csrf", csrf), ("mode", "cash")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, _) = get_page(&app, cookie, &format!("/l/{}/payments", theirs.location)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let their_id = OrderId::parse(&their_order).unwrap();
    assert_eq!(
        app.store
            .get_order(&loc(&theirs.location), &their_id)
            .await
            .unwrap()
            .unwrap()
            .amount_paid,
        0
    );
    // Forged posts on my own order pay nothing.
    let order = create_order(
        &app,
        &mine,
        &mine.contact,
        json!([{ "name": "Mine", "quantity": 1, "unitPrice": 100 }]),
    )
    .await;
    let path = format!("/l/{}/payments/orders/{order}/pay", mine.location);
    for token in [None, Some("wrong-token")] {
        let mut fields = vec![("mode", "cash")];
        if let Some(token) = token {
            fields.push(("csrf", token));
        }
        let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let id = OrderId::parse(&order).unwrap();
    assert_eq!(
        app.store
            .get_order(&loc(&mine.location), &id)
            .await
            .unwrap()
            .unwrap()
            .amount_paid,
        0
    );
}
