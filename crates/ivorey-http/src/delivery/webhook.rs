//! SMS and Custom delivery: an HTTP POST of the message as JSON to the location's webhook,
//! signed `X-Ivorey-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! A 2xx answer means sent (or delivered, when the body says `{"status": "delivered"}`);
//! network errors, timeouts, 408, 429 and 5xx are retried; other answers fail at once.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use ivorey_core::conversation::{Message, MessageStatus};
use ivorey_core::messaging::WebhookSettings;
use reqwest::StatusCode;
use serde_json::json;
use sha2::Sha256;

use super::AttemptError;

pub const SIGNATURE_HEADER: &str = "x-ivorey-signature";

/// The signature header's value for `body` sent at `unix_seconds`.
pub fn sign(secret: &str, unix_seconds: u64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The worker's HTTP client: rustls with the ring provider and Mozilla's roots, no redirects
/// (a signed POST is not replayed to wherever a redirect points).
pub(super) fn client(timeout: Duration) -> reqwest::Client {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Ivorey-Webhook/1")
        .tls_backend_preconfigured(tls)
        .build()
        .expect("the webhook client's settings are valid")
}

fn payload(message: &Message, attempt: u32) -> serde_json::Value {
    json!({
        "event": "message.outbound",
        "messageId": message.id.as_str(),
        "conversationId": message.conversation_id.as_str(),
        "contactId": message.contact_id.as_str(),
        "locationId": message.location_id.as_str(),
        "type": message.channel.send_type(),
        "message": message.body,
        "toNumber": message.content.to_number,
        "fromNumber": message.content.from_number,
        "attachments": message.content.attachments,
        "dateAdded": message.date_added.to_rfc3339(),
        "attempt": attempt,
    })
}

pub(super) async fn post(
    http: &reqwest::Client,
    hook: &WebhookSettings,
    message: &Message,
    attempt: u32,
) -> Result<MessageStatus, AttemptError> {
    let body = serde_json::to_vec(&payload(message, attempt))
        .map_err(|_| AttemptError::permanent("the message could not be encoded for the webhook"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let response = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, sign(&hook.secret, now, &body))
        .header("x-ivorey-message-id", message.id.as_str())
        .body(body)
        .send()
        .await
        .map_err(|e| AttemptError {
            retry: true,
            summary: if e.is_timeout() {
                "the webhook timed out".into()
            } else {
                "the webhook could not be reached".into()
            },
        })?;
    let status = response.status();
    if status.is_success() {
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        return Ok(match answer.get("status").and_then(|s| s.as_str()) {
            Some("delivered") => MessageStatus::Delivered,
            _ => MessageStatus::Sent,
        });
    }
    let retry = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    Err(AttemptError {
        retry,
        summary: format!("the webhook answered HTTP {}", status.as_u16()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_over_timestamp_dot_body() {
        // Computed independently: HMAC-SHA256("Jefe", "1700000000.what do ya want for nothing?").
        assert_eq!(
            sign("Jefe", 1_700_000_000, b"what do ya want for nothing?"),
            "t=1700000000,v1=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
    }
}
