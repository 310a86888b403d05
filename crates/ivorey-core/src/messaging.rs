//! A location's delivery configuration: the SMTP server that sends its emails and the webhook
//! that receives its SMS and custom messages. `Debug` never shows a password or secret.

use std::fmt;

use crate::{LocationId, Timestamp};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text; only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS (required, not opportunistic).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::StartTls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }

    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// The SMTP server a location's emails go through.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender address used when a message names none.
    pub from: String,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

/// The HTTP endpoint that a location's SMS and custom messages are posted to, signed with
/// `secret` (HMAC-SHA256).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: String,
    pub secret: String,
}

impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// Everything a location has configured for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagingSettings {
    pub location_id: LocationId,
    pub smtp: Option<SmtpSettings>,
    pub webhook: Option<WebhookSettings>,
    pub updated_at: Timestamp,
}

impl MessagingSettings {
    pub fn empty(location: &LocationId, now: Timestamp) -> MessagingSettings {
        MessagingSettings {
            location_id: location.clone(),
            smtp: None,
            webhook: None,
            updated_at: now,
        }
    }
}

/// A new webhook signing secret: `whsec_` and 32 random base62 characters (190 bits).
pub fn generate_webhook_secret() -> String {
    format!("whsec_{}", crate::random::base62(32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let smtp = SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: Some("u".into()),
            password: Some("hunter2".into()),
            from: "a@example.com".into(),
        };
        let hook = WebhookSettings {
            url: "https://example.com/hook".into(),
            secret: generate_webhook_secret(),
        };
        assert!(!format!("{smtp:?}").contains("hunter2"));
        assert!(!format!("{hook:?}").contains(&hook.secret));
        assert!(hook.secret.starts_with("whsec_") && hook.secret.len() == 38);
    }
}
