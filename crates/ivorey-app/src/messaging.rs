//! A location's delivery settings: validated here for the management API and the web app's
//! Settings > Messaging (and any later CLI command), and a test send through each provider. Secrets are write-only: the SMTP password is never shown, and the webhook signing
//! secret only once, when it is generated.

use ivorey_core::conversation::MessageStatus;
use ivorey_core::messaging::{
    MessagingSettings, SmtpSettings, SmtpTls, WebhookSettings, generate_webhook_secret,
};
use ivorey_core::{LocationId, Timestamp, ValidationErrors};
use ivorey_store::{Store, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::delivery::{self, TestRecipient};
use crate::error::{AppError, AppResult};

/// The SMTP server as an admin sends it. An absent `password` keeps the stored one.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmtpInput {
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

fn looks_like_email(s: &str) -> bool {
    s.parse::<lettre::Address>().is_ok()
}

async fn current(
    store: &dyn Store,
    location: &LocationId,
    now: Timestamp,
) -> AppResult<MessagingSettings> {
    Ok(store
        .messaging_settings(location)
        .await?
        .unwrap_or_else(|| MessagingSettings::empty(location, now)))
}

async fn save(store: &dyn Store, settings: &MessagingSettings) -> AppResult<()> {
    store
        .save_messaging_settings(settings)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("Location not found"),
            other => other.into(),
        })
}

/// What an admin may see: everything but the secrets.
pub fn describe(settings: &MessagingSettings) -> Value {
    json!({
        "smtp": settings.smtp.as_ref().map(|s| json!({
            "host": s.host, "port": s.port, "tls": s.tls.as_str(), "username": s.username,
            "hasPassword": s.password.is_some(), "from": s.from,
        })),
        "webhook": settings.webhook.as_ref().map(|w| json!({ "url": w.url })),
    })
}

pub async fn get(store: &dyn Store, now: Timestamp, location: &LocationId) -> AppResult<Value> {
    Ok(describe(&current(store, location, now).await?))
}

pub async fn set_smtp(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: SmtpInput,
) -> AppResult<Value> {
    let mut errors = ValidationErrors::new();
    let host = input.host.trim().to_owned();
    if host.is_empty() || host.len() > 253 || host.contains(|c: char| c.is_whitespace()) {
        errors.add("host", "must be a host name or address");
    }
    if input.port == 0 {
        errors.add("port", "must be between 1 and 65535");
    }
    let tls = SmtpTls::parse(&input.tls);
    if tls.is_none() {
        errors.add("tls", "must be one of none, starttls, tls");
    }
    let from = input.from.trim().to_owned();
    if !looks_like_email(&from) {
        errors.add("from", "must be an email address");
    }
    let username = input
        .username
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    if username.is_none() && input.password.is_some() {
        errors.add("password", "needs a username");
    }
    errors.finish(())?;
    let mut settings = current(store, location, now).await?;
    let password = match (&username, input.password) {
        (None, _) => None,
        (Some(_), Some(given)) => Some(given),
        (Some(_), None) => settings.smtp.as_ref().and_then(|s| s.password.clone()),
    };
    settings.smtp = Some(SmtpSettings {
        host,
        port: input.port,
        tls: tls.unwrap_or(SmtpTls::StartTls),
        username,
        password,
        from,
    });
    settings.updated_at = now;
    save(store, &settings).await?;
    Ok(describe(&settings))
}

/// Sets the webhook URL. A new webhook gets a fresh signing secret, returned here once; an
/// existing one keeps its secret unless `rotate_secret`.
pub async fn set_webhook(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    url: &str,
    rotate_secret: bool,
) -> AppResult<Value> {
    let url = url.trim();
    let parsed = url.parse::<http::Uri>().ok().filter(|u| {
        matches!(u.scheme_str(), Some("http" | "https"))
            && u.host().is_some_and(|h| !h.is_empty())
            && url.len() <= 2048
    });
    let Some(parsed) = parsed else {
        return Err(ValidationErrors::single("url", "must be an http or https URL").into());
    };
    let mut settings = current(store, location, now).await?;
    let (secret, shown) = match settings.webhook.take() {
        Some(existing) if !rotate_secret => (existing.secret, None),
        _ => {
            let fresh = generate_webhook_secret();
            (fresh.clone(), Some(fresh))
        }
    };
    settings.webhook = Some(WebhookSettings {
        url: parsed.to_string(),
        secret,
    });
    settings.updated_at = now;
    save(store, &settings).await?;
    let mut body = describe(&settings);
    if let (Some(secret), Some(map)) = (shown, body.as_object_mut()) {
        map.insert("webhookSecret".into(), secret.into());
    }
    Ok(body)
}

/// Removes the SMTP server (`smtp`) or the webhook.
pub async fn remove(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    smtp: bool,
) -> AppResult<Value> {
    let mut settings = current(store, location, now).await?;
    if smtp {
        settings.smtp = None;
    } else {
        settings.webhook = None;
    }
    settings.updated_at = now;
    save(store, &settings).await?;
    Ok(describe(&settings))
}

/// Which provider a test goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Smtp,
    Webhook,
}

/// Sends a test message through `provider` to `to` (an email address for SMTP, a phone number
/// for the webhook) right now, storing nothing. The outer error is bad input; the inner
/// result is the provider's answer: the status it gave, or why it failed.
pub async fn test_send(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    provider: Provider,
    to: &str,
    timeout: std::time::Duration,
) -> AppResult<Result<MessageStatus, String>> {
    // The field's one message, whether `to` was blank or malformed.
    let mut unused = ValidationErrors::new();
    let (recipient, wrong) = match provider {
        Provider::Smtp => (
            crate::messages::email(&mut unused, "to", Some(to)).map(TestRecipient::Email),
            "must be an email address",
        ),
        Provider::Webhook => (
            crate::messages::phone(&mut unused, "to", Some(to)).map(TestRecipient::Phone),
            "must be a phone number",
        ),
    };
    let recipient = recipient.ok_or_else(|| AppError::invalid("to", wrong))?;
    let settings = current(store, location, now).await?;
    let business = store
        .get_location(location)
        .await?
        .map(|l| l.profile.name)
        .unwrap_or_default();
    Ok(delivery::test_send(&settings, recipient, &business, now, timeout).await)
}
