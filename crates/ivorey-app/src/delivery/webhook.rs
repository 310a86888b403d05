//! SMS and Custom delivery: an HTTP POST of the message as JSON to the location's webhook,
//! signed `X-Ivorey-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! A 2xx answer means sent (or delivered, when the body says `{"status": "delivered"}`);
//! network errors, timeouts, 408, 429 and 5xx are retried; other answers fail at once.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use ivorey_core::conversation::{Message, MessageStatus};
use ivorey_core::messaging::WebhookSettings;
use serde_json::json;
use sha2::Sha256;

use super::attempt::AttemptError;

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

/// The worker's HTTP client: HTTP/1.1 over rustls (ring provider, Mozilla's roots), plain
/// HTTP for `http://` URLs, and no redirects followed (a signed POST is not replayed to
/// wherever a redirect points).
pub(crate) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub(super) fn client() -> HttpClient {
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
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// The `source` of a test message from Settings > Messaging (`test_send.rs`).
pub(super) const TEST_SOURCE: &str = "test";

/// The event a payload announces: a test is not a real message.
fn event(message: &Message) -> &'static str {
    if message.source == TEST_SOURCE {
        "message.test"
    } else {
        "message.outbound"
    }
}

fn payload(message: &Message, attempt: u32) -> serde_json::Value {
    json!({
        "event": event(message),
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

fn unreachable(summary: &str) -> AttemptError {
    AttemptError {
        retry: true,
        summary: summary.into(),
    }
}

pub(super) async fn post(
    http: &HttpClient,
    hook: &WebhookSettings,
    message: &Message,
    attempt: u32,
    timeout: Duration,
) -> Result<MessageStatus, AttemptError> {
    let body = serde_json::to_vec(&payload(message, attempt))
        .map_err(|_| AttemptError::permanent("the message could not be encoded for the webhook"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let request = Request::post(hook.url.as_str())
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, "Ivorey-Webhook/1")
        .header(SIGNATURE_HEADER, sign(&hook.secret, now, &body))
        .header("x-ivorey-message-id", message.id.as_str())
        .body(Full::new(Bytes::from(body)))
        .map_err(|_| AttemptError::permanent("the webhook URL is invalid"))?;
    let exchange = async {
        let response = http
            .request(request)
            .await
            .map_err(|_| unreachable("the webhook could not be reached"))?;
        let status = response.status();
        // The answer is read only to learn "delivered"; a large or slow body is not waited for.
        let answer = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        Ok::<_, AttemptError>((status, answer))
    };
    let (status, answer) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| unreachable("the webhook timed out"))??;
    if status.is_success() {
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
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
