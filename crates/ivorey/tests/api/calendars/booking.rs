//! Free slots and bookings: local open hours across a daylight-saving change, bookings inside
//! them only, no overlaps (also under 20 concurrent requests), and events by time window.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Tenant, book, calendar, call, tenant, weekday_body, without_trace};
use crate::common::{TestApp, VERSION};

const SLOTS: &str = "/calendars/{calendarId}/free-slots";
const EVENT: &str = "/calendars/events/appointments/{eventId}";

fn ms(iso: &str) -> i64 {
    ivorey_core::Timestamp::parse_rfc3339(iso)
        .expect(iso)
        .millis()
}

async fn slots(app: &TestApp, t: &Tenant, id: &str, query: &str) -> (StatusCode, Value) {
    let path = format!("/calendars/{id}/free-slots?{query}");
    call(app, &t.token, (Method::GET, SLOTS), &path, None).await
}

/// Every day 09:00-17:00 in New York, hourly.
fn daily_body(location: &str) -> Value {
    let mut body = weekday_body(location);
    body["openHours"][0]["daysOfTheWeek"] = json!([0, 1, 2, 3, 4, 5, 6]);
    body
}

pub(crate) async fn free_slots_keep_local_hours_across_a_dst_change_and_skip_bookings(
    app: TestApp,
) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, daily_body(&t.location)).await;
    // Monday 2030-11-04 10:00 New York time, the day after clocks went back.
    let (status, booked) = book(
        &app,
        &t,
        &id,
        json!({"startTime": "2030-11-04T10:00:00-05:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    // Friday 2030-11-01 00:00 EDT to Friday 2030-11-08 00:00 EST: seven local days.
    let window = format!(
        "startDate={}&endDate={}",
        ms("2030-11-01T04:00:00Z"),
        ms("2030-11-08T05:00:00Z")
    );
    let (status, days) = slots(&app, &t, &id, &window).await;
    assert_eq!(status, StatusCode::OK, "{days}");
    let days = without_trace(days);
    let days = days.as_object().expect("a map of days");
    let dates: Vec<&str> = days.keys().map(String::as_str).collect();
    assert_eq!(
        dates,
        [
            "2030-11-01",
            "2030-11-02",
            "2030-11-03",
            "2030-11-04",
            "2030-11-05",
            "2030-11-06",
            "2030-11-07"
        ]
    );
    for (date, day) in days {
        let list: Vec<&str> = day["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let offset = if date.as_str() < "2030-11-03" {
            "-04:00"
        } else {
            "-05:00"
        };
        let mut expected: Vec<String> = (9..17)
            .map(|h| format!("{date}T{h:02}:00:00{offset}"))
            .collect();
        if date == "2030-11-04" {
            expected.retain(|s| !s.contains("T10:00"));
        }
        assert_eq!(list, expected, "{date}");
    }
    // The same slots shown in Berlin time: keys and offsets follow the requested zone.
    let (_, berlin) = slots(&app, &t, &id, &format!("{window}&timezone=Europe/Berlin")).await;
    let berlin = without_trace(berlin);
    let first = &berlin["2030-11-01"]["slots"][0];
    assert_eq!(first, "2030-11-01T14:00:00+01:00");
    let total: usize = berlin
        .as_object()
        .unwrap()
        .values()
        .map(|d| d["slots"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 7 * 8 - 1);
    // A cancelled booking frees its slot.
    let event = format!(
        "/calendars/events/appointments/{}",
        booked["id"].as_str().unwrap()
    );
    let cancel = Some(json!({"appointmentStatus": "cancelled"}));
    let (status, _) = call(&app, &t.token, (Method::PUT, EVENT), &event, cancel).await;
    assert_eq!(status, StatusCode::OK);
    let (_, days) = slots(&app, &t, &id, &window).await;
    assert_eq!(days["2030-11-04"]["slots"].as_array().unwrap().len(), 8);
}

pub(crate) async fn free_slot_queries_are_validated(app: TestApp) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, daily_body(&t.location)).await;
    let start = ms("2030-01-01T00:00:00Z");
    let cases = [
        ("startDate", format!("endDate={start}")),
        ("startDate", format!("startDate=soon&endDate={start}")),
        (
            "endDate",
            format!("startDate={start}&endDate={}", start - 1),
        ),
        (
            "endDate",
            format!("startDate={start}&endDate={}", start + 32 * 86_400_000),
        ),
        (
            "timezone",
            format!(
                "startDate={start}&endDate={}&timezone=Nowhere/Land",
                start + 1
            ),
        ),
    ];
    for (field, query) in cases {
        let (status, answer) = slots(&app, &t, &id, &query).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {answer}"
        );
        assert!(
            answer["message"][0].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
    // Never in the past: last week has no free slots.
    let now = ivorey_core::Clock::now(&app.clock).millis();
    let past = format!(
        "startDate={}&endDate={}",
        now - 7 * 86_400_000,
        now - 60_000
    );
    let (status, days) = slots(&app, &t, &id, &past).await;
    assert_eq!((status, without_trace(days)), (StatusCode::OK, json!({})));
}

pub(crate) async fn bookings_must_fit_the_open_hours_and_never_overlap(app: TestApp) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, weekday_body(&t.location)).await;
    // Monday 2030-06-03, New York (UTC-4).
    let (status, first) = book(
        &app,
        &t,
        &id,
        json!({"startTime": "2030-06-03T10:00:00-04:00", "title": "Kickoff"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["endTime"], "2030-06-03T11:00:00-04:00",
        "start + slot duration"
    );
    assert_eq!(
        (&first["appointmentStatus"], &first["title"]),
        (&json!("confirmed"), &json!("Kickoff"))
    );
    let refusals = [
        (
            "startTime",
            json!({"startTime": "2030-06-02T10:00:00-04:00"}),
        ), // a Sunday
        (
            "startTime",
            json!({"startTime": "2030-06-03T08:30:00-04:00"}),
        ), // before opening
        (
            "startTime",
            json!({"startTime": "2030-06-03T16:30:00-04:00"}),
        ), // runs past closing
        (
            "startTime",
            json!({"startTime": "2020-06-01T10:00:00-04:00"}),
        ), // in the past
        ("startTime", json!({"startTime": "2030-06-03"})),
        (
            "endTime",
            json!({"startTime": "2030-06-03T12:00:00-04:00", "endTime": "2030-06-03T11:00:00-04:00"}),
        ),
        (
            "appointmentStatus",
            json!({"startTime": "2030-06-03T12:00:00-04:00", "appointmentStatus": "maybe"}),
        ),
        (
            "rrule",
            json!({"startTime": "2030-06-03T12:00:00-04:00", "rrule": "RRULE:FREQ=DAILY"}),
        ),
    ];
    for (field, extra) in refusals {
        let (status, answer) = book(&app, &t, &id, extra.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{extra}: {answer}"
        );
        assert!(
            answer["message"][0].as_str().unwrap().contains(field),
            "{answer}"
        );
    }
    // Double bookings: the same slot, or any overlap, is a 409.
    for start in [
        "2030-06-03T14:00:00Z",
        "2030-06-03T10:30:00-04:00",
        "2030-06-03T09:30:00-04:00",
    ] {
        let (status, answer) = book(&app, &t, &id, json!({"startTime": start})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{start}: {answer}");
        assert_eq!(answer["statusCode"], 409);
    }
    // Outside the open hours with ignoreFreeSlotValidation, but still never over another.
    let late = json!({"startTime": "2030-06-03T20:00:00-04:00", "ignoreFreeSlotValidation": true});
    let (status, _) = book(&app, &t, &id, late).await;
    assert_eq!(status, StatusCode::OK);
    let over = json!({"startTime": "2030-06-03T10:00:00-04:00", "ignoreFreeSlotValidation": true});
    let (status, _) = book(&app, &t, &id, over).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A second booking, then moves: onto the first is refused; over its own time is fine.
    let (_, second) = book(
        &app,
        &t,
        &id,
        json!({"startTime": "2030-06-03T12:00:00-04:00"}),
    )
    .await;
    let path = format!(
        "/calendars/events/appointments/{}",
        second["id"].as_str().unwrap()
    );
    let onto_first = Some(json!({"startTime": "2030-06-03T10:30:00-04:00"}));
    let (status, _) = call(&app, &t.token, (Method::PUT, EVENT), &path, onto_first).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let later = Some(json!({"startTime": "2030-06-03T12:30:00-04:00", "title": "Moved"}));
    let (status, moved) = call(&app, &t.token, (Method::PUT, EVENT), &path, later).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (&moved["endTime"], &moved["title"]),
        (&json!("2030-06-03T13:30:00-04:00"), &json!("Moved"))
    );
    let (status, got) = call(&app, &t.token, (Method::GET, EVENT), &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["event"]["startTime"], "2030-06-03T12:30:00-04:00");
    assert_eq!(got["event"]["contactId"], t.contact.as_str());
    // Deleting frees the time; the event is gone.
    let delete = format!("/calendars/events/{}", second["id"].as_str().unwrap());
    let del = (Method::DELETE, "/calendars/events/{eventId}");
    let (status, answer) = call(&app, &t.token, del.clone(), &delete, None).await;
    assert_eq!(
        (status, &answer["succeeded"]),
        (StatusCode::CREATED, &json!(true))
    );
    let (status, _) = call(&app, &t.token, (Method::GET, EVENT), &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, &t.token, del, &delete, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = book(
        &app,
        &t,
        &id,
        json!({"startTime": "2030-06-03T12:30:00-04:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

pub(crate) async fn twenty_concurrent_bookings_of_one_slot_make_one_appointment(app: TestApp) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, weekday_body(&t.location)).await;
    let body = json!({"calendarId": id, "locationId": t.location, "contactId": t.contact,
                      "startTime": "2030-06-04T09:00:00-04:00"});
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let request = app.http.post(app.url("/calendars/events/appointments"));
            let request = request
                .bearer_auth(&t.token)
                .header("Version", VERSION)
                .json(&body);
            tokio::spawn(request.send())
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task").expect("response").status());
    }
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((won, refused), (1, 19), "{statuses:?}");
    let window = format!(
        "/calendars/events?locationId={}&calendarId={id}&startTime={}&endTime={}",
        t.location,
        ms("2030-06-04T00:00:00Z"),
        ms("2030-06-05T00:00:00Z")
    );
    let (_, events) = call(
        &app,
        &t.token,
        (Method::GET, "/calendars/events"),
        &window,
        None,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");
}

pub(crate) async fn events_are_listed_by_time_window(app: TestApp) {
    let t = tenant(&app).await;
    let id = calendar(&app, &t, weekday_body(&t.location)).await;
    let other = calendar(&app, &t, weekday_body(&t.location)).await;
    let mut ids = Vec::new();
    for start in [
        "2030-06-05T15:00:00-04:00",
        "2030-06-05T09:00:00-04:00",
        "2030-06-06T09:00:00-04:00",
    ] {
        let (status, answer) = book(&app, &t, &id, json!({"startTime": start})).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        ids.push(answer["id"].clone());
    }
    let (status, _) = book(
        &app,
        &t,
        &other,
        json!({"startTime": "2030-06-05T09:00:00-04:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "another calendar's time is its own");
    let list = |cal: &str, from: &str, to: &str| {
        format!(
            "/calendars/events?locationId={}&calendarId={cal}&startTime={}&endTime={}",
            t.location,
            ms(from),
            ms(to)
        )
    };
    let events = (Method::GET, "/calendars/events");
    // Wednesday 2030-06-05, local day: two events, earliest first.
    let day = list(&id, "2030-06-05T04:00:00Z", "2030-06-06T04:00:00Z");
    let (status, found) = call(&app, &t.token, events.clone(), &day, None).await;
    assert_eq!(status, StatusCode::OK);
    let found: Vec<&Value> = found["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(found, [&ids[1], &ids[0]]);
    // A window that only overlaps the end of the 09:00 event still lists it.
    let tail = list(&id, "2030-06-05T13:30:00Z", "2030-06-05T14:00:00Z");
    let (_, found) = call(&app, &t.token, events.clone(), &tail, None).await;
    assert_eq!(found["events"][0]["id"], ids[1]);
    assert_eq!(found["events"].as_array().unwrap().len(), 1);
    for (field, query) in [
        (
            "calendarId",
            format!(
                "/calendars/events?locationId={}&startTime=1&endTime=2",
                t.location
            ),
        ),
        (
            "endTime",
            list(&id, "2030-06-05T00:00:00Z", "2030-06-04T00:00:00Z"),
        ),
        (
            "endTime",
            list(&id, "2030-01-01T00:00:00Z", "2030-12-01T00:00:00Z"),
        ),
    ] {
        let (status, answer) = call(&app, &t.token, events.clone(), &query, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            answer["message"][0].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
}
