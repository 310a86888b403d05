//! Conformance cases for orders and payment transactions.

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{
    Order, OrderInput, OrderStatus, PaymentDetails, PaymentMode, Transaction,
};
use ivorey_core::payment::Currency;
use ivorey_core::{ContactId, LocationId, Timestamp};
use serde_json::json;

use super::fixtures::{T0, new_location};
use crate::{OrderQuery, PaymentOutcome, Store, StoreError, TransactionQuery};

async fn contact(store: &dyn Store, location: &LocationId) -> Contact {
    let c = Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some("Ada".into()),
            ..Default::default()
        },
        date_added: T0,
        date_updated: T0,
    };
    store.insert_contact(&c).await.expect("insert contact");
    c
}

fn order(location: &LocationId, contact: &ContactId, name: &str, cents: i64, at: i64) -> Order {
    let input: OrderInput = serde_json::from_value(json!({
        "contactId": contact.as_str(),
        "currency": "USD",
        "items": [{"name": name, "quantity": 2, "unitPrice": cents}]
    }))
    .expect("order input");
    input
        .into_order(location, Timestamp(T0.0 + at))
        .expect("valid order")
}

fn payment(o: &Order, amount: i64, mode: PaymentMode, at: i64) -> Transaction {
    Transaction {
        id: TransactionId::generate(),
        location_id: o.location_id.clone(),
        order_id: o.id.clone(),
        contact_id: o.contact_id.clone(),
        currency: o.currency,
        amount,
        mode,
        details: PaymentDetails {
            notes: Some("at the desk".into()),
            ..Default::default()
        },
        created_at: Timestamp(T0.0 + at),
    }
}

pub async fn orders_round_trip_and_filter_within_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let ada = contact(store, &a).await;
    let bob = contact(store, &a).await;
    let theirs = contact(store, &b).await;
    let first = order(&a, &ada.id, "Widget", 1999, 1);
    let second = order(&a, &bob.id, "Gadget", 500, 2);
    store.create_order(&first).await.unwrap();
    store.create_order(&second).await.unwrap();
    assert_eq!(
        store.get_order(&a, &first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.get_order(&b, &first.id).await.unwrap(), None);
    // The contact must be in the order's location.
    let stray = order(&a, &theirs.id, "Stray", 1, 3);
    let refused = store.create_order(&stray).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(store.get_order(&a, &stray.id).await.unwrap(), None);

    let all = OrderQuery {
        limit: 10,
        ..Default::default()
    };
    let page = store.list_orders(&a, &all).await.unwrap();
    let ids: Vec<&OrderId> = page.items.iter().map(|o| &o.id).collect();
    assert_eq!(
        (ids, page.total),
        (vec![&second.id, &first.id], 2),
        "newest first"
    );
    let paged = OrderQuery {
        offset: 1,
        limit: 1,
        ..all.clone()
    };
    let page = store.list_orders(&a, &paged).await.unwrap();
    assert_eq!(
        (page.items[0].id.clone(), page.total),
        (first.id.clone(), 2)
    );
    let by_contact = OrderQuery {
        contact_id: Some(bob.id.clone()),
        ..all.clone()
    };
    assert_eq!(
        store.list_orders(&a, &by_contact).await.unwrap().items,
        vec![second.clone()]
    );
    let by_search = OrderQuery {
        search: Some("WIDG".into()),
        ..all.clone()
    };
    assert_eq!(
        store.list_orders(&a, &by_search).await.unwrap().items,
        vec![first.clone()]
    );
    let by_time = OrderQuery {
        from: Some(Timestamp(T0.0 + 2)),
        ..all.clone()
    };
    assert_eq!(store.list_orders(&a, &by_time).await.unwrap().total, 1);
    let until = OrderQuery {
        until: Some(Timestamp(T0.0 + 2)),
        ..all.clone()
    };
    assert_eq!(
        store.list_orders(&a, &until).await.unwrap().items,
        vec![first.clone()]
    );
    let paid = OrderQuery {
        status: Some(OrderStatus::Paid),
        ..all.clone()
    };
    assert_eq!(store.list_orders(&a, &paid).await.unwrap().total, 0);
    assert_eq!(store.list_orders(&b, &all).await.unwrap().total, 0);
}

pub async fn payments_move_the_order_and_an_overpayment_writes_nothing(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let ada = contact(store, &a).await;
    let o = order(&a, &ada.id, "Widget", 1999, 0); // 39.98
    store.create_order(&o).await.unwrap();

    let part = payment(&o, 1000, PaymentMode::Cash, 1);
    let PaymentOutcome::Recorded(after) = store.record_payment(&part).await.unwrap() else {
        panic!("partial payment refused");
    };
    assert_eq!(
        (after.amount_paid, after.status),
        (1000, OrderStatus::PartiallyPaid)
    );
    assert_eq!(
        store.get_order(&a, &o.id).await.unwrap(),
        Some(after.clone())
    );

    let over = payment(&o, 2999, PaymentMode::Card, 2);
    let outcome = store.record_payment(&over).await.unwrap();
    assert_eq!(outcome, PaymentOutcome::Overpaid { due: 2998 });
    assert_eq!(store.get_transaction(&a, &over.id).await.unwrap(), None);
    assert_eq!(store.get_order(&a, &o.id).await.unwrap(), Some(after));

    // Another location's payment for this order, or one in another currency: not found.
    let foreign = Transaction {
        location_id: b.clone(),
        ..payment(&o, 1, PaymentMode::Cash, 3)
    };
    let refused = store.record_payment(&foreign).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let euros = Transaction {
        currency: Currency::parse("EUR").unwrap(),
        ..payment(&o, 1, PaymentMode::Cash, 3)
    };
    assert!(matches!(
        store.record_payment(&euros).await,
        Err(StoreError::NotFound)
    ));

    let rest = payment(&o, 2998, PaymentMode::BankTransfer, 4);
    let PaymentOutcome::Recorded(done) = store.record_payment(&rest).await.unwrap() else {
        panic!("final payment refused");
    };
    assert_eq!((done.amount_paid, done.status), (3998, OrderStatus::Paid));
    assert_eq!(done.updated_at, Timestamp(T0.0 + 4));
    assert_eq!(
        store.get_transaction(&a, &rest.id).await.unwrap(),
        Some(rest.clone())
    );
    assert_eq!(store.get_transaction(&b, &rest.id).await.unwrap(), None);
    let more = payment(&o, 1, PaymentMode::Cash, 5);
    assert_eq!(
        store.record_payment(&more).await.unwrap(),
        PaymentOutcome::Overpaid { due: 0 }
    );
}

pub async fn transactions_are_filtered_and_paged_newest_first(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let ada = contact(store, &a).await;
    let bob = contact(store, &a).await;
    let o1 = order(&a, &ada.id, "One", 5000, 0);
    let o2 = order(&a, &bob.id, "Two", 5000, 0);
    store.create_order(&o1).await.unwrap();
    store.create_order(&o2).await.unwrap();
    let t1 = payment(&o1, 100, PaymentMode::Cash, 1);
    let t2 = payment(&o1, 200, PaymentMode::Card, 2);
    let t3 = payment(&o2, 300, PaymentMode::Cash, 3);
    for t in [&t1, &t2, &t3] {
        assert!(matches!(
            store.record_payment(t).await,
            Ok(PaymentOutcome::Recorded(_))
        ));
    }
    let all = TransactionQuery {
        limit: 10,
        ..Default::default()
    };
    let page = store.list_transactions(&a, &all).await.unwrap();
    assert_eq!(
        (page.items, page.total),
        (vec![t3.clone(), t2.clone(), t1.clone()], 3)
    );
    let second = TransactionQuery {
        offset: 1,
        limit: 1,
        ..all.clone()
    };
    assert_eq!(
        store.list_transactions(&a, &second).await.unwrap().items,
        vec![t2.clone()]
    );
    let of_order = TransactionQuery {
        order_id: Some(o1.id.clone()),
        ..all.clone()
    };
    assert_eq!(
        store.list_transactions(&a, &of_order).await.unwrap().total,
        2
    );
    let of_contact = TransactionQuery {
        contact_id: Some(bob.id.clone()),
        ..all.clone()
    };
    assert_eq!(
        store
            .list_transactions(&a, &of_contact)
            .await
            .unwrap()
            .items,
        vec![t3.clone()]
    );
    let cash = TransactionQuery {
        mode: Some(PaymentMode::Cash),
        ..all.clone()
    };
    assert_eq!(store.list_transactions(&a, &cash).await.unwrap().total, 2);
    let window = TransactionQuery {
        from: Some(Timestamp(T0.0 + 2)),
        until: Some(Timestamp(T0.0 + 3)),
        ..all.clone()
    };
    assert_eq!(
        store.list_transactions(&a, &window).await.unwrap().items,
        [t2]
    );
    assert_eq!(store.list_transactions(&b, &all).await.unwrap().total, 0);
    // Deleting the contact takes their orders and transactions with it.
    store.delete_contact(&a, &ada.id).await.unwrap();
    assert_eq!(store.get_order(&a, &o1.id).await.unwrap(), None);
    assert_eq!(store.list_transactions(&a, &all).await.unwrap().items, [t3]);
}
