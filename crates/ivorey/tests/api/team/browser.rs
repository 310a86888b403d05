//! Settings > Team clicked through in headless Chromium (SQLite): add a member, copy the link
//! shown once, open it, choose a password and land on the dashboard as a user who is told why
//! Team is out of reach; then the admin removes them through the script's confirm dialog.
//! Screenshots go to `target/screenshots/team-*.png`. Skipped without Chromium outside CI.

use crate::browser_support::Browser;
use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_added_signs_in_with_the_link_and_is_removed_in_the_browser() {
    let Some(mut browser) = Browser::start("team").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Acme Plumbing").await;
    let team = app.url(&format!("/l/{}/settings/team", admin.location));
    browser
        .sign_in(&app, &admin.email, crate::common::PASSWORD)
        .await;

    browser.goto(&team).await;
    browser.shot("team-alone").await;
    browser.check_accessibility("team-alone").await;
    browser.fill("#f-name", "Tess Tester").await;
    browser.fill("#f-email", "tess@example.com").await;
    browser
        .click_to_load("form[action$='/settings/team'] button[type=submit]")
        .await;
    let link = browser.attr("#sign-in-link", "value").await;
    assert!(link.starts_with(&format!("{}/invite/", app.base)), "{link}");
    let copy = browser
        .attr("button[aria-label='Copy sign-in link']", "data-copy")
        .await;
    assert_eq!(copy, link);
    browser.shot("link-shown-once").await;
    browser.check_accessibility("link-shown-once").await;

    // Tess opens the link (in this browser, which signs the admin out of it).
    browser.goto(&link).await;
    browser.fill("#f-password", "tess's own passphrase").await;
    browser.shot("choose-password").await;
    browser.check_accessibility("choose-password").await;
    browser.click_to_load("button[type=submit]").await;
    browser
        .wait_for_path("the dashboard", |p| p.ends_with("/dashboard"))
        .await;
    browser.goto(&team).await;
    let page = browser.source().await;
    assert!(page.contains("Only admins can manage the team"), "{page}");
    browser.shot("user-explanation").await;
    browser.check_accessibility("user-explanation").await;

    // The admin removes her: with the script, a dialog asks and the row's form posts at once.
    browser
        .sign_in(&app, &admin.email, crate::common::PASSWORD)
        .await;
    browser.goto(&team).await;
    let remove = "form[data-replaces] button[type=submit]";
    browser.shot("members").await;
    browser.check_accessibility("members").await;
    browser.click(remove).await;
    browser
        .client
        .accept_alert()
        .await
        .expect("the confirm dialog");
    browser
        .wait_for_path("the team page", |p| p.ends_with("/settings/team"))
        .await;
    let page = browser.source().await;
    assert!(page.contains("The member was removed"), "{page}");
    assert!(!page.contains("tess@example.com"), "{page}");
    browser.shot("removed").await;
    browser.check_accessibility("removed").await;
    browser.close().await;
    app.stop().await;
}
