//! Settings > Calendars and the Calendars pages through their forms, on both backends: an admin
//! makes a calendar open 9 to 5 on weekdays in America/New_York; a contact is booked into a free
//! slot, shown in the week; the same slot cannot be booked twice; the appointment is
//! rescheduled across the daylight-saving change of 2027-03-14 and keeps its wall-clock time;
//! marked showed, then cancelled, which frees its slot; members book but only admins change
//! calendars; another business's calendar and appointment are not found; forged posts change
//! nothing.

use ivorey_core::calendar::appointment::AppointmentStatus;
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::user::Role;
use ivorey_core::{LocationId, Timestamp};
use reqwest::StatusCode;

use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{Admin, PASSWORD, TestApp};

on_both_backends!(
    todays_appointments_are_on_the_dashboard,
    a_calendar_is_made_booked_moved_across_dst_and_cancelled,
    buffers_and_minimum_notice_shape_the_free_slots,
    members_book_but_only_admins_change_calendars,
    another_business_calendar_is_not_found_and_forged_posts_change_nothing,
);

const NEW_YORK: &str = "America/New_York";

fn loc(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

fn location_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The last path segment of a redirect, before its query.
fn id_in(to: &str) -> String {
    let path = to.split('?').next().unwrap_or_default();
    path.trim_end_matches("/book")
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Makes a weekday 9-to-5 calendar in New York through Settings > Calendars.
async fn make_calendar(app: &TestApp, admin: &Admin, name: &str) -> CalendarId {
    let path = format!("/l/{}/settings/calendars", admin.location);
    let mut fields = vec![
        ("csrf", admin.session.csrf.as_str()),
        ("name", name),
        ("timezone", NEW_YORK),
        ("slotDuration", "30"),
        ("slotInterval", "30"),
        ("isActive", "on"),
        ("description", "First visits"),
    ];
    for day in ["hours-1", "hours-2", "hours-3", "hours-4", "hours-5"] {
        fields.push((day, "9:00-17:00"));
    }
    let (status, headers, body) = post_form(app, &admin.session.cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    CalendarId::parse(&id_in(&location_header(&headers))).expect("calendar id")
}

/// Epoch milliseconds of a New York wall-clock time.
fn ny(local: &str) -> i64 {
    Timestamp::from_wall_clock(local, Some(NEW_YORK))
        .expect("a New York time")
        .0
}

async fn book(
    app: &TestApp,
    admin: &Admin,
    calendar: &CalendarId,
    contact: &str,
    start: i64,
) -> (StatusCode, String, String) {
    let path = format!("/l/{}/calendars/{calendar}/book", admin.location);
    let start = start.to_string();
    let fields = [
        ("csrf", admin.session.csrf.as_str()),
        ("contact", contact),
        ("start", start.as_str()),
        ("title", "Consultation"),
        ("date", "2027-03-12"),
        ("description", "Bring the floor plan"),
    ];
    let (status, headers, body) = post_form(app, &admin.session.cookie, &path, &fields).await;
    (status, location_header(&headers), body)
}

async fn a_calendar_is_made_booked_moved_across_dst_and_cancelled(app: TestApp) {
    let admin = app.new_admin("Clinic").await;
    let cookie = admin.session.cookie.as_str();
    let csrf = admin.session.csrf.as_str();
    let (_, token) = app.integration(&admin, &["contacts.write"]).await;
    let contact = app.contact(&token, &admin.location, "Mary").await;
    let calendar = make_calendar(&app, &admin, "Consultations").await;
    let stored = app
        .store
        .get_calendar(&loc(&admin), &calendar)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.time_zone, NEW_YORK);
    assert_eq!(stored.open_hours.len(), 5);
    let (status, _, page) = get_page(
        &app,
        cookie,
        &format!("/l/{}/settings/calendars/{calendar}", admin.location),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"09:00-17:00\""), "{page}");

    // Unreadable hours are refused in words, and nothing is saved.
    let path = format!("/l/{}/settings/calendars/{calendar}", admin.location);
    let fields = [
        ("csrf", csrf),
        ("name", "Consultations"),
        ("timezone", NEW_YORK),
        ("hours-1", "9 till 5"),
    ];
    let (status, _, page) = post_form(&app, cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Monday&#39;s hours could not be read")
            || page.contains("Monday's hours could not be read"),
        "{page}"
    );
    assert_eq!(
        app.store
            .get_calendar(&loc(&admin), &calendar)
            .await
            .unwrap()
            .unwrap(),
        stored
    );

    // The booking page offers the Friday's free slots, 9:00 to 16:30 New York time.
    let book_path = format!(
        "/l/{}/calendars/{calendar}/book?date=2027-03-12&contact={contact}",
        admin.location
    );
    let (status, _, page) = get_page(&app, cookie, &book_path).await;
    assert_eq!(status, StatusCode::OK);
    let ten = ny("2027-03-12T10:00");
    assert!(page.contains(&format!("value=\"{ten}\"")), "{page}");
    assert!(page.contains(">09:00<") && page.contains(">16:30<") && !page.contains(">17:00<"));

    let (status, to, body) = book(&app, &admin, &calendar, &contact, ten).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = AppointmentId::parse(&id_in(&to)).expect("appointment id");
    let booked = app
        .store
        .get_appointment(&loc(&admin), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(booked.start.0, ten);
    assert_eq!(booked.end.0 - booked.start.0, 30 * 60_000);
    assert_eq!(booked.description.as_deref(), Some("Bring the floor plan"));
    // The same slot twice: refused, and the slot is no longer offered.
    let (status, _, page) = book(&app, &admin, &calendar, &contact, ten).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(!page.contains(&format!("value=\"{ten}\"")), "{page}");
    // Outside the open hours: refused beside the time.
    let (status, _, _) = book(&app, &admin, &calendar, &contact, ny("2027-03-12T20:00")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The week shows it, at 10:00 New York time.
    let week = format!("/l/{}/calendars/{calendar}?week=2027-03-10", admin.location);
    let (status, _, page) = get_page(&app, cookie, &week).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Week of <strong>Mon 8 Mar 2027</strong>"),
        "{page}"
    );
    assert!(
        page.contains("10:00–10:30") && page.contains("Mary"),
        "{page}"
    );
    let (_, _, agenda) = get_page(
        &app,
        cookie,
        &format!("/l/{}/calendars?date=2027-03-12", admin.location),
    )
    .await;
    assert!(
        agenda.contains("10:00–10:30") && agenda.contains("Consultation"),
        "{agenda}"
    );

    // Reschedule to Monday 10:00 after the change to daylight time: the same wall-clock time,
    // an hour less in UTC from the Friday's offset.
    let appointment = format!("/l/{}/appointments/{id}", admin.location);
    let (_, _, page) = get_page(&app, cookie, &format!("{appointment}?date=2027-03-15")).await;
    let monday_ten = ny("2027-03-15T10:00");
    assert!(page.contains(&format!("value=\"{monday_ten}\"")), "{page}");
    let start = monday_ten.to_string();
    let fields = [
        ("csrf", csrf),
        ("start", start.as_str()),
        ("date", "2027-03-15"),
    ];
    let (status, _, _) =
        post_form(&app, cookie, &format!("{appointment}/reschedule"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let moved = app
        .store
        .get_appointment(&loc(&admin), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.start.0, monday_ten);
    assert_eq!(monday_ten - ten, 3 * 86_400_000 - 3_600_000, "EST to EDT");
    let (_, _, page) = get_page(&app, cookie, &appointment).await;
    assert!(page.contains("15 Mar 2027, 10:00 EDT"), "{page}");

    // Showed; then cancelled, which frees the Monday slot again.
    let status_path = format!("{appointment}/status");
    post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "showed")],
    )
    .await;
    let got = app
        .store
        .get_appointment(&loc(&admin), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, AppointmentStatus::Showed);
    let (status, _, _) = post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "sometime")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    post_form(
        &app,
        cookie,
        &status_path,
        &[("csrf", csrf), ("status", "cancelled")],
    )
    .await;
    let got = app
        .store
        .get_appointment(&loc(&admin), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, AppointmentStatus::Cancelled);
    let monday = format!(
        "/l/{}/calendars/{calendar}/book?date=2027-03-15&contact={contact}",
        admin.location
    );
    let (_, _, page) = get_page(&app, cookie, &monday).await;
    assert!(
        page.contains(&format!("value=\"{monday_ten}\"")),
        "the slot is free again"
    );
    // Notes are kept with it.
    let fields = [("csrf", csrf), ("description", "Rebook in April")];
    post_form(&app, cookie, &format!("{appointment}/notes"), &fields).await;
    let got = app
        .store
        .get_appointment(&loc(&admin), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.description.as_deref(), Some("Rebook in April"));
}

async fn members_book_but_only_admins_change_calendars(app: TestApp) {
    let admin = app.new_admin("Roles Clinic").await;
    let calendar = make_calendar(&app, &admin, "Visits").await;
    let before = app
        .store
        .get_calendar(&loc(&admin), &calendar)
        .await
        .unwrap();
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let settings = format!("/l/{}/settings/calendars", admin.location);
    let (status, _, page) = get_page(&app, &user.cookie, &settings).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Visits") && !page.contains("New calendar"));
    let (status, _, _) = get_page(&app, &user.cookie, &format!("{settings}/new")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for path in [settings.clone(), format!("{settings}/{calendar}")] {
        let fields = [
            ("csrf", user.csrf.as_str()),
            ("name", "Taken over"),
            ("timezone", "UTC"),
        ];
        let (status, _, page) = post_form(&app, &user.cookie, &path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Only admins can manage calendars"), "{page}");
    }
    assert_eq!(
        app.store
            .get_calendar(&loc(&admin), &calendar)
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        app.store.list_calendars(&loc(&admin)).await.unwrap().len(),
        1
    );
    // The member works the calendar itself.
    let (status, _, _) = get_page(
        &app,
        &user.cookie,
        &format!("/l/{}/calendars/{calendar}", admin.location),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn another_business_calendar_is_not_found_and_forged_posts_change_nothing(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let theirs = make_calendar(&app, &other, "Secret calendar").await;
    let (_, token) = app.integration(&other, &["contacts.write"]).await;
    let their_contact = app.contact(&token, &other.location, "Secret Person").await;
    let (status, to, _) = book(
        &app,
        &other,
        &theirs,
        &their_contact,
        ny("2027-03-12T11:00"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let their_appointment = id_in(&to);
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    for path in [
        format!("/l/{}/calendars/{theirs}", admin.location),
        format!("/l/{}/calendars/{theirs}/book", admin.location),
        format!("/l/{}/settings/calendars/{theirs}", admin.location),
        format!("/l/{}/appointments/{their_appointment}", admin.location),
        format!("/l/{}/appointments/aaaaaaaaaaaaaaaaaaaa", admin.location),
    ] {
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Secret"), "{path}");
    }
    let start = ny("2027-03-12T12:00").to_string();
    for path in [
        format!("/l/{}/calendars/{theirs}/book", admin.location),
        format!("/l/{}/settings/calendars/{theirs}", admin.location),
        format!(
            "/l/{}/appointments/{their_appointment}/status",
            admin.location
        ),
        format!(
            "/l/{}/appointments/{their_appointment}/reschedule",
            admin.location
        ),
        format!(
            "/l/{}/appointments/{their_appointment}/notes",
            admin.location
        ),
    ] {
        let fields = [
            ("csrf", csrf),
            ("status", "cancelled"),
            ("start", start.as_str()),
            ("contact", their_contact.as_str()),
            ("name", "Stolen"),
            ("description", "Stolen"),
        ];
        let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // Their contact cannot be booked into my calendar.
    let mine = make_calendar(&app, &admin, "Mine").await;
    let (status, _, _) = book(&app, &admin, &mine, &their_contact, ny("2027-03-12T11:00")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let their_id = AppointmentId::parse(&their_appointment).unwrap();
    let kept = app
        .store
        .get_appointment(&loc(&other), &their_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, AppointmentStatus::Confirmed);
    assert_eq!(kept.description.as_deref(), Some("Bring the floor plan"));
    // Forged posts on my own calendar change nothing.
    let before = app.store.get_calendar(&loc(&admin), &mine).await.unwrap();
    for path in [
        format!("/l/{}/settings/calendars", admin.location),
        format!("/l/{}/settings/calendars/{mine}", admin.location),
        format!("/l/{}/calendars/{mine}/book", admin.location),
    ] {
        for token in [None, Some("wrong-token")] {
            let mut fields = vec![("name", "Forged"), ("timezone", "UTC")];
            if let Some(token) = token {
                fields.push(("csrf", token));
            }
            let (status, _, _) = post_form(&app, cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(
        app.store.get_calendar(&loc(&admin), &mine).await.unwrap(),
        before
    );
    assert_eq!(
        app.store.list_calendars(&loc(&admin)).await.unwrap().len(),
        1
    );
}

async fn buffers_and_minimum_notice_shape_the_free_slots(app: TestApp) {
    let admin = app.new_admin("Buffers Clinic").await;
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    let (_, token) = app.integration(&admin, &["contacts.write"]).await;
    let contact = app.contact(&token, &admin.location, "Mary").await;
    let calendar = make_calendar(&app, &admin, "Consultations").await;
    let settings = format!("/l/{}/settings/calendars/{calendar}", admin.location);
    let mut fields = vec![
        ("csrf", csrf),
        ("name", "Consultations"),
        ("timezone", NEW_YORK),
        ("slotDuration", "30"),
        ("slotInterval", "30"),
        ("isActive", "on"),
        ("slotBuffer", "30"),
        ("preBuffer", "0"),
        ("allowBookingAfter", "168"),
    ];
    for day in ["hours-1", "hours-2", "hours-3", "hours-4", "hours-5"] {
        fields.push((day, "9:00-17:00"));
    }
    let (status, _, body) = post_form(&app, cookie, &settings, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = app
        .store
        .get_calendar(&loc(&admin), &calendar)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.slot_buffer_minutes, stored.min_notice_minutes),
        (30, 168 * 60)
    );

    // A week's notice: none of the next six days offers a slot.
    let today =
        ivorey_core::wall_clock::LocalDate::of(ivorey_core::Clock::now(&app.clock), Some(NEW_YORK));
    for n in 0..6 {
        let day = today.plus_days(n);
        let path = format!(
            "/l/{}/calendars/{calendar}/book?date={day}&contact={contact}",
            admin.location
        );
        let (_, _, page) = get_page(&app, cookie, &path).await;
        assert!(
            !page.contains("name=\"start\""),
            "{day} is within the notice: {page}"
        );
    }
    // Far enough ahead, a booking at 10:00 keeps 30 minutes after it and before it free.
    let (status, _, body) = book(&app, &admin, &calendar, &contact, ny("2027-03-12T10:00")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let path = format!(
        "/l/{}/calendars/{calendar}/book?date=2027-03-12&contact={contact}",
        admin.location
    );
    let (_, _, page) = get_page(&app, cookie, &path).await;
    for (time, offered) in [
        ("09:00", true),
        ("09:30", false),
        ("10:30", false),
        ("11:00", true),
    ] {
        let value = format!("value=\"{}\"", ny(&format!("2027-03-12T{time}")));
        assert_eq!(page.contains(&value), offered, "{time}: {page}");
    }
    // The store refuses what the page no longer offers.
    let (status, _, _) = book(&app, &admin, &calendar, &contact, ny("2027-03-12T10:30")).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn todays_appointments_are_on_the_dashboard(app: TestApp) {
    let admin = app.new_admin("Today Clinic").await;
    let cookie = admin.session.cookie.as_str();
    let scopes = [
        "contacts.write",
        "calendars.write",
        "calendars/events.write",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    let contact = app.contact(&token, &admin.location, "Mary").await;
    let body =
        serde_json::json!({ "locationId": admin.location, "name": "Walk-ins", "timezone": "UTC" });
    let (status, created) = app
        .api(&token, reqwest::Method::POST, "/calendars/", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let calendar = created["calendar"]["id"].as_str().unwrap().to_owned();
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    assert!(page.contains("No appointments today"), "{page}");
    // Noon today on the business's clock (UTC: it has no zone), outside any open hours.
    let today = ivorey_core::wall_clock::LocalDate::of(ivorey_core::Clock::now(&app.clock), None);
    let noon = today.start(None).0 + 12 * 3_600_000;
    let booking = serde_json::json!({
        "calendarId": calendar, "locationId": admin.location, "contactId": contact,
        "startTime": noon, "title": "Drop-in", "ignoreFreeSlotValidation": true,
    });
    let (status, body) = app
        .api(
            &token,
            reqwest::Method::POST,
            "/calendars/events/appointments",
            Some(booking),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, page) = get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    let today_card = page
        .split("Today&#39;s appointments")
        .nth(1)
        .or_else(|| page.split("Today's appointments").nth(1))
        .unwrap_or_default();
    assert!(
        today_card.contains("12:00–12:30") && today_card.contains("Mary"),
        "{page}"
    );
}
