//! The Rust side of the optional areas' SDK steps: what the location needs before the script
//! runs (a local SMTP sink and signed-webhook receiver as its messaging providers, a form with
//! one submission) and, after it, proof through the API and the receivers that the SDK's calls
//! really did what they reported.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::Run;
use crate::common::{Admin, TestApp};
use crate::spec;
use crate::support_smtp::SmtpSink;
use crate::support_webhook::{Receiver, receiver};

/// How long delivery and the receivers may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(10);

/// What `prepare` set up for the enabled areas.
#[derive(Default)]
pub struct Prepared {
    /// Extra environment for the script.
    pub env: Vec<(&'static str, String)>,
    sink: Option<SmtpSink>,
    webhook: Option<Receiver>,
    /// The form and the id of the one submission posted to it.
    form: Option<(String, String)>,
    location: String,
}

pub async fn prepare(app: &TestApp, admin: &Admin, areas: &[String]) -> Prepared {
    let mut prepared = Prepared {
        location: admin.location.clone(),
        ..Prepared::default()
    };
    if areas.iter().any(|a| a == "conversations") {
        prepared.sink = Some(smtp_sink(app, admin).await);
        prepared.webhook = Some(webhook(app, admin).await);
    }
    if areas.iter().any(|a| a == "forms") {
        let (form, submission) = form_with_a_submission(app, admin).await;
        prepared.env.push(("FORM_ID", form.clone()));
        prepared.form = Some((form, submission));
    }
    prepared
}

/// Checks the enabled areas' effects; returns the contacts they created besides the SDK's own
/// (a form submission upserts its submitter).
pub async fn confirm(
    app: &TestApp,
    token: &str,
    prepared: &mut Prepared,
    run: &Run,
) -> Vec<String> {
    if let (Some(sink), Some(hook)) = (prepared.sink.as_mut(), prepared.webhook.as_mut()) {
        email_was_delivered(app, token, sink, run).await;
        sms_was_delivered(app, token, hook, run).await;
    }
    if run.steps.iter().any(|s| s["step"] == "calendars.book") {
        booking_took_the_slot(app, token, run).await;
    }
    match &prepared.form {
        Some((form, submission)) => {
            let location = &prepared.location;
            vec![submission_was_listed(app, token, location, form, submission, run).await]
        }
        None => Vec::new(),
    }
}

/// The location's SMTP server is a local sink (no TLS, no credentials).
async fn smtp_sink(app: &TestApp, admin: &Admin) -> SmtpSink {
    let sink = SmtpSink::start().await;
    let smtp = json!({ "host": "127.0.0.1", "port": sink.port, "tls": "none",
                       "from": "office@example.com" });
    let path = format!("/manage/locations/{}/messaging/smtp", admin.location);
    let (status, body) = app
        .manage(&admin.session, Method::PUT, &path, Some(smtp))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sink
}

/// The location's SMS webhook is a local receiver that verifies the signature with the secret
/// the management API shows once.
async fn webhook(app: &TestApp, admin: &Admin) -> Receiver {
    let hook = receiver(Some(0)).await;
    let path = format!("/manage/locations/{}/messaging/webhook", admin.location);
    let (status, body) = app
        .manage(
            &admin.session,
            Method::PUT,
            &path,
            Some(json!({ "url": hook.url })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["messaging"]["webhookSecret"].as_str().expect("secret");
    *hook.secret.lock().expect("secret lock") = secret.to_owned();
    hook
}

/// A form defined through the management API and one public submission to it.
async fn form_with_a_submission(app: &TestApp, admin: &Admin) -> (String, String) {
    let path = format!("/manage/locations/{}/forms", admin.location);
    let form = json!({ "name": "SDK compat", "fields": [
        {"key": "first_name", "label": "First name", "type": "text", "required": true},
        {"key": "email", "label": "Email", "type": "email", "required": true},
    ]});
    let (status, body) = app
        .manage(&admin.session, Method::POST, &path, Some(form))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let form = body["form"]["id"].as_str().expect("form id").to_owned();
    let response = app
        .http
        .post(app.url(&format!("/forms/submit/{form}")))
        .json(&json!({ "first_name": "Grace", "email": "grace.sdk@example.com" }))
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("submit body");
    let submission = body["submissionId"].as_str().expect("submissionId");
    (form, submission.to_owned())
}

/// The message once it is no longer pending, read through the API, which must say `sent`.
async fn sent(app: &TestApp, token: &str, message: &str) -> Value {
    let path = format!("/conversations/messages/{message}");
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let (status, body) = app.api(token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let template = "/conversations/messages/{id}";
        spec::check("conversations.json", &Method::GET, template, status, &body);
        if body["status"] != "pending" {
            assert_eq!(body["status"], "sent", "{body}");
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still pending: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn email_was_delivered(app: &TestApp, token: &str, sink: &mut SmtpSink, run: &Run) {
    let step = run.step("conversations.email");
    let message = run.id("conversations.email", "messageId");
    let done = sent(app, token, &message).await;
    assert_eq!(done["messageType"], "TYPE_EMAIL", "{done}");
    assert_eq!(done["conversationId"], step["conversationId"]);
    let contact = run.id("contact.create", "contactId");
    let path = format!("/contacts/{contact}");
    let (_, body) = app.api(token, Method::GET, &path, None).await;
    let email = body["contact"]["email"].as_str().expect("Ada's email");
    let mail = tokio::time::timeout(DEADLINE, sink.received.recv())
        .await
        .expect("the email reached the SMTP sink")
        .expect("sink open");
    assert_eq!(mail.from, "office@example.com");
    assert_eq!(mail.to, [email]);
    let subject = step["subject"].as_str().expect("subject");
    assert!(
        mail.data.contains(&format!("Subject: {subject}")),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("Hello from the <b>SDK</b>"),
        "{}",
        mail.data
    );
}

async fn sms_was_delivered(app: &TestApp, token: &str, hook: &mut Receiver, run: &Run) {
    let step = run.step("conversations.sms");
    let message = run.id("conversations.sms", "messageId");
    let done = sent(app, token, &message).await;
    assert_eq!(done["messageType"], "TYPE_SMS", "{done}");
    // The receiver passes on only bodies whose signature it verified.
    let body = tokio::time::timeout(DEADLINE, hook.bodies.recv())
        .await
        .expect("the SMS reached the webhook")
        .expect("receiver open");
    assert_eq!(hook.hits.load(Ordering::SeqCst), 1, "one signed attempt");
    assert_eq!(body["messageId"], message.as_str());
    assert_eq!(body["conversationId"], step["conversationId"]);
    assert_eq!(body["type"], "SMS");
    assert_eq!(body["toNumber"], "+14155550123");
    assert_eq!(body["message"], step["message"]);
}

/// The SDK's appointment exists for Ada and its slot is no longer offered.
async fn booking_took_the_slot(app: &TestApp, token: &str, run: &Run) {
    let event = run.id("calendars.book", "appointmentId");
    let path = format!("/calendars/events/appointments/{event}");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let template = "/calendars/events/appointments/{eventId}";
    spec::check("calendars.json", &Method::GET, template, status, &body);
    assert_eq!(
        body["event"]["contactId"],
        run.id("contact.create", "contactId")
    );
    let calendar = run.id("calendars.slots", "calendarId");
    assert_eq!(body["event"]["calendarId"], calendar.as_str());

    let start = millis(&run.id("calendars.book", "startTime"));
    let path = format!(
        "/calendars/{calendar}/free-slots?startDate={start}&endDate={}&timezone=UTC",
        start + 24 * 3600 * 1000
    );
    let (status, days) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{days}");
    let template = "/calendars/{calendarId}/free-slots";
    spec::check("calendars.json", &Method::GET, template, status, &days);
    let offered: Vec<i64> = days
        .as_object()
        .expect("days")
        .values()
        .filter_map(|day| day["slots"].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(millis)
        .collect();
    assert!(!offered.is_empty(), "other slots are still offered: {days}");
    assert!(!offered.contains(&start), "the booked slot is gone: {days}");
}

fn millis(iso: &str) -> i64 {
    ivorey_core::Timestamp::parse_rfc3339(iso)
        .expect(iso)
        .millis()
}

/// The SDK listed exactly the one submission; returns the contact it upserted.
async fn submission_was_listed(
    app: &TestApp,
    token: &str,
    location: &str,
    form: &str,
    submission: &str,
    run: &Run,
) -> String {
    let listed = &run.step("forms.submissions")["submissionIds"];
    assert_eq!(listed, &json!([submission]), "the SDK saw the submission");
    let path = format!("/forms/submissions?locationId={location}&formId={form}");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check(
        "forms.json",
        &Method::GET,
        "/forms/submissions",
        status,
        &body,
    );
    let first = &body["submissions"][0];
    assert_eq!(first["id"], submission);
    assert_eq!(first["formId"], form);
    first["contactId"].as_str().expect("contactId").to_owned()
}
