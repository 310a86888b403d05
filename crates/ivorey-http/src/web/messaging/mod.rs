//! Settings > Messaging (admins only): the location's SMTP server (Email) and webhook provider
//! (SMS and Custom), each saved through the same `ivorey_app::messaging` service as
//! `PUT /manage/locations/{id}/messaging/smtp|webhook`, with a test send and a removal.
//! Secrets are write-only: the SMTP password shows as "set" with a field to replace it, and the
//! webhook signing secret appears once, in the answer to the POST that made it.

pub(crate) mod provider;
pub(crate) mod remove;

use axum::extract::{Path, Query, State};
use ivorey_core::LocationId;
use ivorey_core::messaging::{MessagingSettings, SmtpTls};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Viewer;
use super::error::WebResult;
use super::forms::{FormData, Input, Problems};
use super::layout::{Tone, copy_button, icon, notice};
use super::shell::{Section, Shell};
use crate::state::AppState;

/// The location, if the user is one of its admins; otherwise the page that explains why only
/// admins see Messaging.
pub(crate) async fn admin(state: &AppState, shell: &Shell) -> WebResult<LocationId> {
    shell.admin_for(state, Section::Messaging).await
}

/// The current settings (none configured yet: empty).
pub(crate) async fn current(
    state: &AppState,
    location: &LocationId,
) -> WebResult<MessagingSettings> {
    Ok(state
        .store
        .messaging_settings(location)
        .await?
        .unwrap_or_else(|| MessagingSettings::empty(location, state.clock.now())))
}

/// What a POST wants the page to show besides the settings.
#[derive(Default)]
pub(crate) struct Shown<'a> {
    pub notice: Option<Markup>,
    /// The SMTP form as posted, with its problems (re-shown after a refusal).
    pub smtp: Option<(&'a FormData, Problems)>,
    pub webhook: Option<(&'a FormData, Problems)>,
    /// A test form as posted (`smtp` or `webhook`), with its problems.
    pub test: Option<(&'static str, &'a FormData, Problems)>,
    /// A signing secret made just now: shown this once.
    pub secret: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let location = admin(&state, &shell).await?;
    let settings = current(&state, &location).await?;
    let message = match done.done.as_deref() {
        Some("smtp-saved") => Some("The SMTP server was saved. Send a test email to check it."),
        Some("webhook-saved") => {
            Some("The webhook URL was saved. Its signing secret is unchanged.")
        }
        Some("smtp-removed") => Some("The SMTP server was removed. Emails can no longer be sent."),
        Some("webhook-removed") => {
            Some("The webhook provider was removed. SMS and Custom messages can no longer be sent.")
        }
        _ => None,
    };
    let shown = Shown {
        notice: message.map(|m| notice(Tone::Success, html! { (m) })),
        ..Shown::default()
    };
    Ok(page(&shell, &settings, shown))
}

pub(crate) fn page(shell: &Shell, settings: &MessagingSettings, shown: Shown<'_>) -> Markup {
    let content = html! {
        div.page-head { h1 { "Messaging" } }
        p.lede {
            "Replies and messages sent through the API leave through these providers: Email \
             through your SMTP server, SMS and Custom messages through your webhook, which \
             passes them on to your SMS gateway."
        }
        @if let Some(n) = &shown.notice { (n) }
        @if let Some(secret) = &shown.secret { (secret_once(secret)) }
        (smtp_card(shell, settings, &shown))
        (webhook_card(shell, settings, &shown))
    };
    shell.page(Section::Messaging, "Messaging", &[], content)
}

fn secret_once(secret: &str) -> Markup {
    html! {
        section.card.token-card #webhook-secret-card aria-labelledby="secret-title" {
            h2 #secret-title { "Webhook signing secret" }
            (notice(Tone::Warning, html! {
                p { strong { "Copy this secret now. It will not be shown again." } }
                p { "Your webhook checks each request's X-Ivorey-Signature header with it. If you lose it, make a new one." }
            }))
            div.field {
                label for="webhook-secret" { "Signing secret" }
                div.copy-row {
                    input #webhook-secret.secret type="text" readonly value=(secret)
                        autocomplete="off" spellcheck="false";
                    (copy_button(secret, "signing secret"))
                }
            }
        }
    }
}

fn smtp_card(shell: &Shell, settings: &MessagingSettings, shown: &Shown<'_>) -> Markup {
    let smtp = settings.smtp.as_ref();
    let stored = FormData(match smtp {
        Some(s) => vec![
            ("host".into(), s.host.clone()),
            ("port".into(), s.port.to_string()),
            ("tls".into(), s.tls.as_str().into()),
            ("username".into(), s.username.clone().unwrap_or_default()),
            ("from".into(), s.from.clone()),
        ],
        None => vec![
            ("port".into(), "587".into()),
            ("tls".into(), "starttls".into()),
        ],
    });
    let none = Problems::none();
    let (values, problems) = match &shown.smtp {
        Some((form, problems)) => (*form, problems),
        None => (&stored, &none),
    };
    let has_password = smtp.is_some_and(|s| s.password.is_some());
    let password_hint = if has_password {
        "A password is set; it is never shown. Leave this blank to keep it, or type a new one to replace it."
    } else {
        "Only if the server needs a username and password."
    };
    let tls = values.get("tls");
    html! {
        section.card #smtp aria-labelledby="smtp-title" {
            div.card-head {
                h2 #smtp-title { (icon("mail")) " SMTP server (Email)" }
                @if smtp.is_some() {
                    span.badge.badge-ok #smtp-state { "Set up" }
                } @else {
                    span.badge #smtp-state { "Not set up" }
                }
            }
            (problems.summary())
            form #smtp-form method="post" action=(shell.url("/messaging/smtp")) {
                (shell.csrf())
                div.grid {
                    (Input { label: "Host", name: "host", value: values.get("host"), required: true,
                        max_chars: Some(253), autocomplete: Some("off"),
                        hint: Some("For example smtp.example.com"), ..Default::default() }.render(problems))
                    (Input { label: "Port", name: "port", value: values.get("port"), required: true,
                        max_chars: Some(5), autocomplete: Some("off"),
                        hint: Some("Usually 587 with STARTTLS, 465 with TLS"), ..Default::default() }.render(problems))
                    div.field.field-invalid[problems.field("tls").is_some()] {
                        label for="f-tls" { "TLS mode" }
                        select #f-tls name="tls" {
                            @for (mode, text) in [
                                (SmtpTls::StartTls, "STARTTLS (upgrade a plain connection)"),
                                (SmtpTls::Tls, "TLS from the start (SMTPS)"),
                                (SmtpTls::None, "None (a trusted relay only)"),
                            ] {
                                option value=(mode.as_str()) selected[tls == mode.as_str()] { (text) }
                            }
                        }
                        @if let Some(error) = problems.field("tls") { p.error { (error) } }
                    }
                    (Input { label: "From address", name: "from", value: values.get("from"), kind: "email",
                        required: true, max_chars: Some(254), autocomplete: Some("off"),
                        hint: Some("The sender of emails that name none"), ..Default::default() }.render(problems))
                    (Input { label: "Username", name: "username", value: values.get("username"),
                        max_chars: Some(254), autocomplete: Some("off"),
                        hint: Some("Leave blank for a server without sign-in (this also clears the password)."),
                        ..Default::default() }.render(problems))
                    (Input { label: "Password", name: "password", value: "", kind: "password",
                        max_chars: Some(1000), autocomplete: Some("new-password"),
                        hint: Some(password_hint), ..Default::default() }.render(problems))
                }
                @if has_password { p.muted #smtp-password-state { "Password: set" } }
                div.actions {
                    @if smtp.is_some() {
                        a.button.danger-outline #smtp-remove href=(shell.url("/messaging/smtp/remove")) { "Remove SMTP server" }
                    }
                    button.primary #smtp-save type="submit" { "Save SMTP server" }
                }
            }
            @if smtp.is_some() || tested(shown, "smtp") {
                (test_form(shell, "smtp", "Send a test email to", "email", "Send test email", shown))
            }
        }
    }
}

fn webhook_card(shell: &Shell, settings: &MessagingSettings, shown: &Shown<'_>) -> Markup {
    let hook = settings.webhook.as_ref();
    let stored = FormData(vec![(
        "url".into(),
        hook.map(|h| h.url.clone()).unwrap_or_default(),
    )]);
    let none = Problems::none();
    let (values, problems) = match &shown.webhook {
        Some((form, problems)) => (*form, problems),
        None => (&stored, &none),
    };
    html! {
        section.card #webhook aria-labelledby="webhook-title" {
            div.card-head {
                h2 #webhook-title { (icon("send")) " Webhook provider (SMS and Custom)" }
                @if hook.is_some() {
                    span.badge.badge-ok #webhook-state { "Set up" }
                } @else {
                    span.badge #webhook-state { "Not set up" }
                }
            }
            p.muted {
                "Each message is POSTed as JSON to this URL, signed with "
                code { "X-Ivorey-Signature: t=…,v1=HMAC-SHA256(secret, \"t.body\")" } "."
            }
            (problems.summary())
            form #webhook-form method="post" action=(shell.url("/messaging/webhook")) {
                (shell.csrf())
                (Input { label: "Webhook URL", name: "url", value: values.get("url"), kind: "url",
                    required: true, max_chars: Some(2048), autocomplete: Some("off"),
                    hint: Some("An http or https URL, for example https://sms.example.com/ivorey"),
                    ..Default::default() }.render(problems))
                @if hook.is_some() { p.muted #webhook-secret-state { "Signing secret: set (never shown again)" } }
                div.actions {
                    @if hook.is_some() {
                        a.button.danger-outline #webhook-remove href=(shell.url("/messaging/webhook/remove")) { "Remove webhook" }
                    }
                    button.primary #webhook-save type="submit" { "Save webhook" }
                }
            }
            @if let Some(h) = hook {
                form #webhook-rotate .inline-form method="post" action=(shell.url("/messaging/webhook"))
                    data-confirm="Make a new signing secret? The old one stops working at once." {
                    (shell.csrf())
                    input type="hidden" name="url" value=(h.url);
                    input type="hidden" name="rotate" value="1";
                    button type="submit" { (icon("rotate")) "Make a new signing secret" }
                }
            }
            @if hook.is_some() || tested(shown, "webhook") {
                (test_form(shell, "webhook", "Send a test SMS to", "tel", "Send test SMS", shown))
            }
        }
    }
}

/// Whether the page answers a test of `provider` (its form then shows what was wrong).
fn tested(shown: &Shown<'_>, provider: &str) -> bool {
    matches!(&shown.test, Some((p, _, _)) if *p == provider)
}

/// A test send's form: the address or number, the button, and the outcome or problem.
fn test_form(
    shell: &Shell,
    provider: &'static str,
    text: &str,
    kind: &str,
    button: &str,
    shown: &Shown<'_>,
) -> Markup {
    let id = format!("f-{provider}-to");
    let error_id = format!("{id}-error");
    let (value, error) = match &shown.test {
        Some((p, form, problems)) if *p == provider => (form.get("to"), problems.field("to")),
        _ => ("", None),
    };
    html! {
        form.test-send id={ (provider) "-test" } method="post"
            action=(shell.url(&format!("/messaging/{provider}/test"))) {
            (shell.csrf())
            div.field.field-invalid[error.is_some()] {
                label for=(id) { (text) }
                div.copy-row {
                    input id=(id) name="to" type=(kind) value=(value) required
                        autocomplete="off" maxlength="254"
                        aria-describedby=[error.map(|_| error_id.as_str())]
                        aria-invalid=[error.map(|_| "true")];
                    button type="submit" { (button) }
                }
                @if let Some(error) = error { p.error id=(error_id) { (error) } }
            }
        }
    }
}
