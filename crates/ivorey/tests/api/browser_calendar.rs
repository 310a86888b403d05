//! Calendars walked in headless Chromium as a business would: the owner makes a calendar open
//! 9 to 5 on weekdays in America/New_York, books a contact into Friday 12 March 2027 at 10:00,
//! finds it in the week, reschedules it across the daylight-saving change to Monday 15 March
//! at 10:00, and cancels it. A screenshot per step in `target/screenshots/calendar-*.png`;
//! each page passes the accessibility checks.

use crate::browser_support::Browser;
use crate::common::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_books_and_moves_an_appointment_across_the_clock_change() {
    let Some(mut browser) = Browser::start("calendar").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Rosan Bakery").await;
    let (_, token) = app.integration(&admin, &["contacts.write"]).await;
    app.contact(&token, &admin.location, "Mary").await;
    browser.sign_in(&app, &admin.email, PASSWORD).await;

    browser
        .goto(&app.url(&format!("/l/{}/calendars", admin.location)))
        .await;
    assert!(browser.source().await.contains("No calendars yet"));
    browser.shot("empty").await;
    browser.check_accessibility("agenda-empty").await;
    browser
        .goto(&app.url(&format!("/l/{}/settings/calendars/new", admin.location)))
        .await;
    browser.fill("#f-name", "Cake tastings").await;
    browser
        .find("#f-timezone")
        .await
        .select_by_value("America/New_York")
        .await
        .expect("zone");
    browser
        .find("#f-slotDuration")
        .await
        .select_by_value("60")
        .await
        .expect("length");
    browser
        .find("#f-slotInterval")
        .await
        .select_by_value("60")
        .await
        .expect("interval");
    browser.shot("new-calendar").await;
    browser.check_accessibility("new-calendar").await;
    browser
        .click_to_load("form button.primary[type=submit]")
        .await;
    assert!(browser.source().await.contains("The calendar was created"));
    browser
        .goto(&app.url(&format!("/l/{}/settings/calendars", admin.location)))
        .await;
    assert!(browser.source().await.contains("Cake tastings"));
    browser.check_accessibility("calendar-settings").await;
    browser.follow_link("Cake tastings").await;
    browser.click_to_load(".page-head a.button").await;

    // Book Mary on Friday 12 March 2027 at 10:00 New York time.
    let week = browser.path().await;
    browser
        .goto(&app.url(&format!("{week}?week=2027-03-12")))
        .await;
    browser
        .click_to_load("section[aria-labelledby='day-2027-03-12'] a.button")
        .await;
    browser.fill("#f-find", "mary").await;
    browser
        .click_to_load("form[role=search] button[type=submit]")
        .await;
    browser.follow_link("Mary").await;
    browser.click("label.slot:nth-child(2) input").await;
    browser.shot("book").await;
    browser.check_accessibility("book").await;
    browser
        .click_to_load("form[method=post] button.primary")
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("The appointment was booked") && page.contains("12 Mar 2027, 10:00 EST"),
        "{page}"
    );
    browser.shot("booked").await;
    browser.check_accessibility("booked").await;

    browser.follow_link("Cake tastings").await;
    let page = browser.source().await;
    assert!(
        page.contains("10:00–11:00") && page.contains("Mary"),
        "{page}"
    );
    browser.shot("week").await;
    browser.check_accessibility("week").await;

    // Reschedule to Monday 15 March, after the clocks went forward: still 10:00 on the wall.
    browser.click_to_load(".agenda-item a").await;
    browser.fill("#f-date", "03152027").await;
    browser
        .click_to_load("#move-title ~ form.filter-bar button")
        .await;
    browser.click("label.slot:nth-child(2) input").await;
    browser
        .click_to_load("#move-title ~ form[method=post] button.primary")
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("The appointment was moved") && page.contains("15 Mar 2027, 10:00 EDT"),
        "{page}"
    );
    browser.shot("moved").await;

    browser.click_to_load("button.danger-outline").await;
    let page = browser.source().await;
    assert!(
        page.contains("badge-danger") && page.contains("Cancelled"),
        "{page}"
    );
    browser.shot("cancelled").await;
    browser.close().await;
    app.stop().await;
}
