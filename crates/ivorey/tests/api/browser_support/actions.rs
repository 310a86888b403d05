//! What several browser walks do on a page: reload until the server shows a change, fetch a
//! download with the page's own cookies, and add a note and a task on a contact's page.

use std::time::{Duration, Instant};

use ivorey_core::{Clock, Timestamp};
use serde_json::json;

use super::Browser;
use crate::common::TestApp;

impl Browser {
    /// Reloads the page until its HTML satisfies `ok` (at most `secs` seconds) and returns that
    /// HTML: for what the server changes on its own (a delivery, an import's progress). A page
    /// that refreshes itself may be mid-load when read; that read just counts as "not yet".
    pub async fn reload_until(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let page = self.client.source().await.unwrap_or_default();
            if ok(&page) {
                return page;
            }
            assert!(Instant::now() < deadline, "the page never showed {what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = self.client.refresh().await;
        }
    }

    /// What a link to `href` downloads, fetched from the page with its cookies (as the browser
    /// would when the link is clicked, without a file dialog): the status and the text.
    pub async fn fetch(&self, href: &str) -> (u16, String) {
        let answer = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0], { credentials: 'same-origin' })
                    .then(r => r.text().then(t => done([r.status, t])))
                    .catch(e => done([0, String(e)]));",
                vec![json!(href)],
            )
            .await
            .expect("fetch from the page");
        let (status, text): (u16, String) = serde_json::from_value(answer).expect("[status, text]");
        (status, text)
    }
}

/// Adds a note on the contact's page open in `browser` and checks it is shown.
pub async fn add_note(browser: &Browser, text: &str) {
    browser.fill("#f-note", text).await;
    browser
        .click_to_load("#notes form button[type=submit]")
        .await;
    assert!(browser.source().await.contains(text), "the note is shown");
}

/// Adds a task due in an hour (by the app's clock) on the contact's page open in `browser`.
pub async fn add_task(browser: &Browser, app: &TestApp, title: &str) {
    browser.fill("#f-task-title", title).await;
    let due = Timestamp(app.clock.now().0 + 3_600_000);
    let due = due.to_rfc3339()[..16].to_owned();
    // A datetime-local input takes typed text differently per locale; its value does not.
    browser
        .client
        .execute(
            "document.getElementById('f-task-due').value = arguments[0];",
            vec![json!(due)],
        )
        .await
        .expect("set the due time");
    browser
        .click_to_load("#tasks form.stack button[type=submit]")
        .await;
    assert!(browser.source().await.contains(title), "the task is shown");
}
