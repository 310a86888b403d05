//! Calendars, free slots and appointments over real HTTP, on both backends, in HighLevel v2
//! shapes: calendar CRUD, free slots across a daylight-saving change, bookings inside open
//! hours only, double bookings refused (also 20 at once), events by time window, and every
//! refusal. Every response body is checked against HighLevel's own schema for it (`spec`).

mod booking;
mod refusals;

use booking::*;
use refusals::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp};
use crate::spec;

on_both_backends!(
    a_calendar_is_created_read_changed_listed_and_deleted,
    invalid_calendars_are_refused_naming_each_field,
    free_slots_keep_local_hours_across_a_dst_change_and_skip_bookings,
    free_slot_queries_are_validated,
    bookings_must_fit_the_open_hours_and_never_overlap,
    twenty_concurrent_bookings_of_one_slot_make_one_appointment,
    events_are_listed_by_time_window,
    every_endpoint_refuses_a_token_without_its_scope,
    another_locations_records_answer_like_missing_ones,
);

pub(crate) const ALL_SCOPES: [&str; 6] = [
    "calendars.readonly",
    "calendars.write",
    "calendars/events.readonly",
    "calendars/events.write",
    "contacts.readonly",
    "contacts.write",
];

/// A location with a token holding every calendar scope, and a contact.
pub(crate) struct Tenant {
    pub admin: Admin,
    pub location: String,
    pub token: String,
    pub contact: String,
}

pub(crate) async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Calendars").await;
    let (_, token) = app.integration(&admin, &ALL_SCOPES).await;
    let contact = app.contact(&token, &admin.location, "Grace").await;
    Tenant {
        location: admin.location.clone(),
        admin,
        token,
        contact,
    }
}

/// Calls the API and checks the answer against `template`'s response in `calendars.json`.
pub(crate) async fn call(
    app: &TestApp,
    token: &str,
    (method, template): (Method, &str),
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, body).await;
    spec::check("calendars.json", &method, template, status, &answer);
    (status, answer)
}

pub(crate) fn without_trace(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("traceId");
    }
    body
}

/// Weekday 09:00-17:00 in New York, hourly.
pub(crate) fn weekday_body(location: &str) -> Value {
    json!({
        "locationId": location, "name": "Intro call", "description": "Thirty minutes to meet",
        "timezone": "America/New_York", "slotDuration": 60, "slotInterval": 60,
        "openHours": [{"daysOfTheWeek": [1, 2, 3, 4, 5],
                       "hours": [{"openHour": 9, "openMinute": 0, "closeHour": 17, "closeMinute": 0}]}]
    })
}

/// Creates a calendar; returns its id.
pub(crate) async fn calendar(app: &TestApp, t: &Tenant, body: Value) -> String {
    let create = (Method::POST, "/calendars/");
    let (status, answer) = call(app, &t.token, create, "/calendars/", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["calendar"]["id"].as_str().expect("id").to_owned()
}

/// Books `start` (ISO with offset) on `calendar`; returns the status and answer.
pub(crate) async fn book(
    app: &TestApp,
    t: &Tenant,
    calendar: &str,
    extra: Value,
) -> (StatusCode, Value) {
    let mut body =
        json!({"calendarId": calendar, "locationId": t.location, "contactId": t.contact});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let create = (Method::POST, "/calendars/events/appointments");
    call(
        app,
        &t.token,
        create,
        "/calendars/events/appointments",
        Some(body),
    )
    .await
}

async fn a_calendar_is_created_read_changed_listed_and_deleted(app: TestApp) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, weekday_body(&t.location)).await;
    let one = format!("/calendars/{id}");
    let by_id = "/calendars/{calendarId}";
    let (status, got) = call(&app, &t.token, (Method::GET, by_id), &one, None).await;
    assert_eq!(status, StatusCode::OK);
    let c = &got["calendar"];
    assert_eq!(
        (
            &c["name"],
            &c["timezone"],
            &c["slotDuration"],
            &c["slotDurationUnit"]
        ),
        (
            &json!("Intro call"),
            &json!("America/New_York"),
            &json!(60),
            &json!("mins")
        )
    );
    assert_eq!(c["openHours"][0]["daysOfTheWeek"], json!([1, 2, 3, 4, 5]));
    assert_eq!(c["locationId"], t.location.as_str());
    let change = json!({"name": "Demo", "timezone": "europe/berlin", "slotInterval": 30, "description": null});
    let (status, changed) = call(&app, &t.token, (Method::PUT, by_id), &one, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let c = &changed["calendar"];
    assert_eq!(
        (&c["name"], &c["timezone"], &c["slotInterval"]),
        (&json!("Demo"), &json!("Europe/Berlin"), &json!(30))
    );
    assert_eq!(c["slotDuration"], 60, "kept");
    assert!(c.get("description").is_none(), "cleared: {c}");
    let list = format!("/calendars/?locationId={}", t.location);
    let (status, listed) = call(&app, &t.token, (Method::GET, "/calendars/"), &list, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        without_trace(listed)["calendars"],
        json!([changed["calendar"]])
    );
    let (status, gone) = call(&app, &t.token, (Method::DELETE, by_id), &one, None).await;
    assert_eq!((status, &gone["success"]), (StatusCode::OK, &json!(true)));
    let (status, _) = call(&app, &t.token, (Method::GET, by_id), &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, &t.token, (Method::DELETE, by_id), &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn invalid_calendars_are_refused_naming_each_field(app: TestApp) {
    let t = tenant(&app).await;
    let valid = weekday_body(&t.location);
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        match value {
            Value::Null => body.as_object_mut().unwrap().remove(key),
            value => body.as_object_mut().unwrap().insert(key.into(), value),
        };
        body
    };
    let bad_hours = json!([{"daysOfTheWeek": [1], "hours": [{"openHour": 17, "openMinute": 0, "closeHour": 9, "closeMinute": 0}]}]);
    let cases = [
        ("name", with("name", Value::Null)),
        ("name", with("name", json!("  "))),
        ("timezone", with("timezone", json!("Mars/Olympus"))),
        ("timezone", with("timezone", json!("EST+5"))),
        ("slotDuration", with("slotDuration", json!(0))),
        ("slotDuration", with("slotDuration", json!(-30))),
        ("slotInterval", with("slotInterval", json!(100_000))),
        ("slotDuration", with("slotDurationUnit", json!("days"))),
        ("openHours", with("openHours", bad_hours)),
        (
            "daysOfTheWeek",
            with("openHours", json!([{"daysOfTheWeek": [9], "hours": []}])),
        ),
        ("locationId", with("locationId", Value::Null)),
        ("colour", with("colour", json!("red"))),
    ];
    for (field, body) in cases {
        let create = (Method::POST, "/calendars/");
        let (status, answer) =
            call(&app, &t.token, create, "/calendars/", Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let messages = answer["message"].as_array().expect("a list of messages");
        assert!(
            messages.iter().any(|m| m.as_str().unwrap().contains(field)),
            "{field}: {answer}"
        );
    }
    let list = format!("/calendars/?locationId={}", t.location);
    let (_, listed) = call(&app, &t.token, (Method::GET, "/calendars/"), &list, None).await;
    assert_eq!(listed["calendars"], json!([]), "nothing was stored");
}
