//! What the calendar endpoints refuse: a token without the endpoint's scope (401, nothing
//! changed), another location's calendars and events (404, exactly as for ids that exist
//! nowhere, nothing changed), its locationId (403) and its contacts or calendars in a booking.

use ivorey_core::ContactId;
use ivorey_core::ids::{AppointmentId, CalendarId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ALL_SCOPES, Tenant, book, calendar, call, tenant, weekday_body, without_trace};
use crate::common::TestApp;

const WINDOW: &str = "startTime=1900000000000&endTime=1901000000000";

/// Everything the tenant's calendar shows through the API: a refused request must leave it so.
async fn snapshot(app: &TestApp, t: &Tenant, cal: &str, event: &str) -> Value {
    let mut seen = Vec::new();
    for (template, path) in [
        (
            "/calendars/",
            format!("/calendars/?locationId={}", t.location),
        ),
        ("/calendars/{calendarId}", format!("/calendars/{cal}")),
        (
            "/calendars/events/appointments/{eventId}",
            format!("/calendars/events/appointments/{event}"),
        ),
        (
            "/calendars/events",
            format!(
                "/calendars/events?locationId={}&calendarId={cal}&{WINDOW}",
                t.location
            ),
        ),
    ] {
        let (status, body) = call(app, &t.token, (Method::GET, template), &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        seen.push(without_trace(body));
    }
    Value::Array(seen)
}

/// A tenant with a calendar and one booking (2030-03-04 10:00 New York).
async fn booked_tenant(app: &TestApp) -> (Tenant, String, String) {
    let t = tenant(app).await;
    let cal = calendar(app, &t, weekday_body(&t.location)).await;
    let (status, event) = book(
        app,
        &t,
        &cal,
        json!({"startTime": "2030-03-04T10:00:00-05:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{event}");
    (t, cal, event["id"].as_str().unwrap().to_owned())
}

/// Every endpoint: (method, template, path, body, scope it needs).
fn endpoints(
    t: &Tenant,
    cal: &str,
    event: &str,
) -> Vec<(Method, &'static str, String, Option<Value>, &'static str)> {
    let loc = &t.location;
    vec![
        (
            Method::GET,
            "/calendars/",
            format!("/calendars/?locationId={loc}"),
            None,
            "calendars.readonly",
        ),
        (
            Method::POST,
            "/calendars/",
            "/calendars/".into(),
            Some(weekday_body(loc)),
            "calendars.write",
        ),
        (
            Method::GET,
            "/calendars/{calendarId}",
            format!("/calendars/{cal}"),
            None,
            "calendars.readonly",
        ),
        (
            Method::PUT,
            "/calendars/{calendarId}",
            format!("/calendars/{cal}"),
            Some(json!({"name": "Taken"})),
            "calendars.write",
        ),
        (
            Method::DELETE,
            "/calendars/{calendarId}",
            format!("/calendars/{cal}"),
            None,
            "calendars.write",
        ),
        (
            Method::GET,
            "/calendars/{calendarId}/free-slots",
            format!("/calendars/{cal}/free-slots?startDate=1900000000000&endDate=1901000000000"),
            None,
            "calendars.readonly",
        ),
        (
            Method::POST,
            "/calendars/events/appointments",
            "/calendars/events/appointments".into(),
            Some(
                json!({"calendarId": cal, "locationId": loc, "contactId": t.contact, "startTime": "2030-03-05T10:00:00-05:00"}),
            ),
            "calendars/events.write",
        ),
        (
            Method::GET,
            "/calendars/events/appointments/{eventId}",
            format!("/calendars/events/appointments/{event}"),
            None,
            "calendars/events.readonly",
        ),
        (
            Method::PUT,
            "/calendars/events/appointments/{eventId}",
            format!("/calendars/events/appointments/{event}"),
            Some(json!({"title": "Taken"})),
            "calendars/events.write",
        ),
        (
            Method::DELETE,
            "/calendars/events/{eventId}",
            format!("/calendars/events/{event}"),
            None,
            "calendars/events.write",
        ),
        (
            Method::GET,
            "/calendars/events",
            format!("/calendars/events?locationId={loc}&calendarId={cal}&{WINDOW}"),
            None,
            "calendars/events.readonly",
        ),
    ]
}

pub(crate) async fn every_endpoint_refuses_a_token_without_its_scope(app: TestApp) {
    let (t, cal, event) = booked_tenant(&app).await;
    let before = snapshot(&app, &t, &cal, &event).await;
    for (method, template, path, body, scope) in endpoints(&t, &cal, &event) {
        let others: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| *s != scope).collect();
        let (_, token) = app.integration(&t.admin, &others).await;
        let (status, answer) = call(&app, &token, (method.clone(), template), &path, body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without {scope}: {answer}"
        );
        assert_eq!(
            answer["message"],
            "The token is not authorized for this scope."
        );
    }
    assert_eq!(
        snapshot(&app, &t, &cal, &event).await,
        before,
        "nothing changed"
    );
}

pub(crate) async fn another_locations_records_answer_like_missing_ones(app: TestApp) {
    let (t, cal, event) = booked_tenant(&app).await;
    let (intruder, _, _) = booked_tenant(&app).await;
    let before = snapshot(&app, &t, &cal, &event).await;
    let (missing_cal, missing_event) = (
        CalendarId::generate().to_string(),
        AppointmentId::generate().to_string(),
    );
    // The intruder's token on the tenant's ids answers as on ids that exist nowhere.
    let theirs = endpoints(&intruder, &cal, &event);
    let nowhere = endpoints(&intruder, &missing_cal, &missing_event);
    for (i, ((method, template, path, body, _), (_, _, missing_path, _, _))) in
        theirs.into_iter().zip(nowhere).enumerate()
    {
        if !path.contains(&cal) && !path.contains(&event) {
            continue; // lists and creates without the tenant's ids
        }
        let (status, answer) = call(
            &app,
            &intruder.token,
            (method.clone(), template),
            &path,
            body.clone(),
        )
        .await;
        let (missing_status, missing) = call(
            &app,
            &intruder.token,
            (method.clone(), template),
            &missing_path,
            body,
        )
        .await;
        let expected = if i == 6 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "{method} {path}: {answer}");
        assert_eq!(
            (status, without_trace(answer)),
            (missing_status, without_trace(missing)),
            "{method} {path}"
        );
    }
    // Naming the tenant's location is a 403 wherever a locationId is passed.
    let intruding = endpoints(&t, &cal, &event);
    for (method, template, path, body, _) in intruding.into_iter().filter(|e| {
        e.2.contains("locationId") || e.3.as_ref().is_some_and(|b| b.get("locationId").is_some())
    }) {
        let (status, answer) = call(
            &app,
            &intruder.token,
            (method.clone(), template),
            &path,
            body,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    }
    // A booking may not link another location's contact (nor a made-up one).
    for contact in [t.contact.clone(), ContactId::generate().to_string()] {
        let body = json!({"calendarId": intruder_calendar(&app, &intruder).await, "locationId": intruder.location,
                          "contactId": contact, "startTime": "2030-03-05T10:00:00-05:00"});
        let create = (Method::POST, "/calendars/events/appointments");
        let (status, answer) = call(
            &app,
            &intruder.token,
            create,
            "/calendars/events/appointments",
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(
            answer["message"][0]
                .as_str()
                .unwrap()
                .starts_with("contactId"),
            "{answer}"
        );
    }
    assert_eq!(
        snapshot(&app, &t, &cal, &event).await,
        before,
        "nothing changed"
    );
}

async fn intruder_calendar(app: &TestApp, t: &Tenant) -> String {
    let list = format!("/calendars/?locationId={}", t.location);
    let (_, listed) = call(app, &t.token, (Method::GET, "/calendars/"), &list, None).await;
    listed["calendars"][0]["id"].as_str().unwrap().to_owned()
}
