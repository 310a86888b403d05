//! Issue 14's walk in one headless Chromium session, as a business would take it (SQLite):
//! first-run setup; a teammate added on Team signs in through the one-time link as a user and
//! is told why Integrations, Team and Messaging are admins' pages; the owner sets up the webhook
//! provider and a Private Integration; the integration (reqwest with the token shown once)
//! creates contacts, sends a message and records the reply; the owner finds them on the
//! dashboard and the integration's page, named by integration, adds a note and a task on the
//! contact, replies in the inbox and watches the delivery go from pending to delivered; then
//! imports 1,000 rows with 10 bad ones and exports the 990 back. A screenshot per step:
//! `target/screenshots/walk-NN-*.png`; axe-core on each page `browser_crm.rs` does not check.

mod import;
mod integration;

use crate::browser_support::{Browser, add_note, add_task};
use crate::common::{PASSWORD, TestApp};
use crate::support_webhook::{Receiver, held_receiver};

const OWNER_EMAIL: &str = "rosa@rosanbakery.example";
const TEAMMATE_EMAIL: &str = "tess@rosanbakery.example";
const TEAMMATE_PASSWORD: &str = "tess chooses her own passphrase";
/// The owner's answer to Ada, typed in the thread.
const ANSWER: &str = "We can do June 14. See you at 5!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_walks_its_crm_from_setup_to_export() {
    let Some(mut browser) = Browser::start("walk").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let location = set_up(&mut browser, &app).await;
    add_teammate(&mut browser, &app).await;
    teammate_is_kept_out_of_admin_pages(&mut browser).await;
    browser.sign_in(&app, OWNER_EMAIL, PASSWORD).await;
    let mut hook = held_receiver().await;
    configure_webhook(&mut browser, &mut hook).await;
    let token = create_integration(&mut browser).await;

    // The tool does its work through the API, with nobody in the browser.
    let tool = integration::work(&app, &token, &location, &mut hook).await;

    // The owner finds it on the dashboard, named by integration, and opens the contact.
    browser.follow_link("Dashboard").await;
    let feed = browser.text(".feed").await;
    assert!(
        feed.contains("Zapier Integration created the contact Ada Lovelace"),
        "{feed}"
    );
    assert!(feed.contains("Grace Hopper"), "{feed}");
    let unread = browser
        .text("a.stat[href$='/conversations'] .stat-value")
        .await;
    assert_eq!(unread, "1", "the customer's reply is unread");
    browser.shot("dashboard-activity").await;
    // The integration's own page lists what it did.
    browser.follow_link("Zapier Integration").await;
    let did = browser.text("section[aria-labelledby=did-title]").await;
    assert!(did.contains("created the contact Ada Lovelace"), "{did}");
    browser.shot("integration-did").await;
    browser.check_accessibility("integration-did").await;
    browser.follow_link("Ada Lovelace").await;
    let said = browser.text(".attribution").await;
    assert!(said.contains("Created by Zapier Integration"), "{said}");
    add_note(&browser, "Asked about a wedding cake for June.").await;
    add_task(&browser, &app, "Send Ada the cake quote").await;
    browser.shot("contact-note-task").await;

    // The inbox: the reply is there; the owner answers and watches the delivery.
    browser.follow_link("Conversations").await;
    assert!(browser.source().await.contains(integration::REPLY));
    browser.shot("inbox").await;
    let thread = format!("a[href$='/conversations/{}']", tool.conversation);
    browser.click_to_load(&thread).await;
    browser.fill("#f-message", ANSWER).await;
    browser.click_to_load("#send-reply").await;
    let sent = tokio::time::timeout(std::time::Duration::from_secs(10), hook.bodies.recv())
        .await
        .expect("the reply reaches the webhook")
        .expect("a body");
    assert_eq!(sent["message"], ANSWER);
    let url = browser.client.current_url().await.expect("url");
    let reply = url
        .fragment()
        .expect("the page points at the reply")
        .to_owned();
    let badge = format!("#{reply} [data-status]");
    // The webhook holds its answer, so the reply is still in the provider's hands.
    assert_eq!(browser.attr(&badge, "data-status").await, "pending");
    assert_eq!(browser.text(&badge).await, "Pending");
    browser.shot("reply-pending").await;
    hook.release();
    let delivered = format!(r#"id="{reply}""#);
    let page = browser
        .reload_until("the reply delivered", 30, |page| {
            page.split(&delivered)
                .nth(1)
                .and_then(|rest| rest.split("</li>").next())
                .is_some_and(|item| item.contains(r#"data-status="delivered""#))
        })
        .await;
    assert_eq!(browser.text(&badge).await, "Delivered");
    let at = |text: &str| {
        page.find(text)
            .unwrap_or_else(|| panic!("{text:?} in the thread"))
    };
    assert!(
        at(integration::SENT) < at(integration::REPLY) && at(integration::REPLY) < at(ANSWER),
        "the thread runs oldest first"
    );
    browser.shot("reply-delivered").await;

    import::import_and_export(&mut browser).await;
    browser.close().await;
    app.stop().await;
}

/// First-run setup on an empty server; returns the new business's Location ID.
async fn set_up(browser: &mut Browser, app: &TestApp) -> String {
    browser.goto(&app.url("/")).await;
    browser
        .wait_for_path("the setup page", |p| p == "/setup")
        .await;
    browser.fill("#f-name", "Rosan Bakery").await;
    browser.fill("#f-adminName", "Rosa Nguyen").await;
    browser.fill("#f-adminEmail", OWNER_EMAIL).await;
    browser.fill("#f-password", PASSWORD).await;
    browser.shot("setup").await;
    browser.check_accessibility("setup").await;
    browser
        .click_to_load("form[action='/setup'] button[type=submit]")
        .await;
    let path = browser
        .wait_for_path("the dashboard", |p| p.ends_with("/dashboard"))
        .await;
    assert!(browser.text(".lede").await.contains("Rosan Bakery"));
    let location = path
        .strip_prefix("/l/")
        .and_then(|p| p.strip_suffix("/dashboard"))
        .expect("/l/{location}/dashboard");
    location.to_owned()
}

/// Settings > Team: the owner adds Tess as a user; the page shows her one-time link, which
/// she opens (in this browser, which signs the owner out) to choose her password.
async fn add_teammate(browser: &mut Browser, app: &TestApp) {
    browser.follow_link("Settings").await;
    browser.check_accessibility("settings-business").await;
    browser.follow_link("Team").await;
    browser.check_accessibility("team").await;
    browser.fill("#f-name", "Tess Baker").await;
    browser.fill("#f-email", TEAMMATE_EMAIL).await;
    browser
        .click_to_load("form[action$='/settings/team'] button[type=submit]")
        .await;
    let link = browser.attr("#sign-in-link", "value").await;
    assert!(link.starts_with(&format!("{}/invite/", app.base)), "{link}");
    browser.shot("teammate-link").await;
    browser.check_accessibility("teammate-link").await;

    browser.goto(&link).await;
    browser.fill("#f-password", TEAMMATE_PASSWORD).await;
    browser.shot("teammate-password").await;
    browser.check_accessibility("teammate-password").await;
    browser.click_to_load("button[type=submit]").await;
    browser
        .wait_for_path("the dashboard", |p| p.ends_with("/dashboard"))
        .await;
}

/// Tess, a user, reaches each admin page from the Settings menu and is told why it is closed.
async fn teammate_is_kept_out_of_admin_pages(browser: &mut Browser) {
    browser.follow_link("Settings").await;
    assert!(
        !browser.source().await.contains("Save changes"),
        "Business is read-only"
    );
    browser.check_accessibility("teammate-business").await;
    // Each with what only an admin's page has: the create button, the add form, the providers.
    let pages = [
        (
            "Private Integrations",
            "Private Integrations",
            "integrations",
            "/integrations/new",
        ),
        ("Team", "the team", "team", "id=\"add-title\""),
        ("Messaging", "Messaging", "messaging", "id=\"webhook-form\""),
    ];
    for (link, what, name, admins_only) in pages {
        browser.follow_link(link).await;
        assert_eq!(browser.text("h1").await, link, "the page keeps its name");
        let explained = browser.text(".explain").await;
        assert!(
            explained.contains(&format!("Only admins can manage {what}")),
            "{explained}"
        );
        assert!(explained.contains(TEAMMATE_EMAIL), "says who is signed in");
        assert!(explained.contains("a user of Rosan Bakery"), "{explained}");
        let page = browser.source().await;
        assert!(
            !page.contains(admins_only),
            "{name} shows none of its admin parts"
        );
        browser.shot(&format!("teammate-{name}")).await;
        browser
            .check_accessibility(&format!("teammate-{name}"))
            .await;
    }
}

/// Settings > Messaging: the webhook provider, its signing secret shown once (handed to the
/// receiver, which checks every request with it), and a test SMS it delivers.
async fn configure_webhook(browser: &mut Browser, hook: &mut Receiver) {
    browser.follow_link("Settings").await;
    browser.follow_link("Messaging").await;
    assert_eq!(browser.text("#webhook-state").await, "Not set up");
    browser.check_accessibility("messaging-empty").await;
    browser.fill("#f-url", &hook.url).await;
    browser.click_to_load("#webhook-save").await;
    let secret = browser.attr("#webhook-secret", "value").await;
    assert!(secret.len() >= 32, "a signing secret: {secret}");
    assert!(
        browser
            .source()
            .await
            .contains("It will not be shown again.")
    );
    *hook.secret.lock().unwrap() = secret;
    browser.shot("webhook-secret").await;
    browser.check_accessibility("webhook-secret").await;

    browser.fill("#f-webhook-to", "+15550100").await;
    hook.release();
    browser
        .click_to_load("#webhook-test button[type=submit]")
        .await;
    let outcome = browser.text("#test-outcome").await;
    assert!(outcome.contains("was delivered"), "{outcome}");
    let test = hook
        .bodies
        .recv()
        .await
        .expect("the test SMS reached the webhook");
    assert_eq!(test["toNumber"], "+15550100", "{test}");
    assert_eq!(browser.text("#webhook-state").await, "Set up");
    browser.shot("webhook-tested").await;
}

/// Settings > Private Integrations > Create: a name, the scopes the tool needs, and the token
/// shown once, read off the page as the owner would copy it.
async fn create_integration(browser: &mut Browser) -> String {
    browser.follow_link("Private Integrations").await;
    browser.check_accessibility("integrations-empty").await;
    browser
        .click_to_load("a.button.primary[href$='/integrations/new']")
        .await;
    browser.fill("#f-name", "Zapier Integration").await;
    browser
        .fill(
            "#f-description",
            "Sends web-form leads and texts to our CRM",
        )
        .await;
    browser.check_accessibility("integration-name").await;
    browser.click_to_load("button.primary[type=submit]").await;
    for scope in integration::SCOPES {
        tick(browser, scope).await;
    }
    browser.shot("integration-scopes").await;
    browser.check_accessibility("integration-scopes").await;
    browser
        .click_to_load("form button.primary[type=submit]")
        .await;
    let token = browser.attr("#token", "value").await;
    assert!(token.starts_with("ivorey_pit_"), "{token}");
    browser.shot("integration-token").await;
    browser.check_accessibility("integration-token").await;
    browser.follow_link("I have stored the token").await;
    assert!(!browser.source().await.contains(&token), "shown only once");
    token
}

/// Ticks a scope's box, opening its area first (a closed `<details>` hides its boxes).
async fn tick(browser: &Browser, scope: &str) {
    let css = format!("input[value='{scope}']");
    let area = format!("document.querySelector(\"{css}\").closest('details').open = true;");
    browser
        .client
        .execute(&area, vec![])
        .await
        .expect("open the scope's area");
    browser.click(&css).await;
}
