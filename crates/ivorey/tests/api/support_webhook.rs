//! A local webhook receiver for tests: an axum server on 127.0.0.1 that verifies Ivorey's
//! `X-Ivorey-Signature` (HMAC-SHA256 of `t.body` with the location's secret), answers 401 to a
//! bad signature, 503 to the first `failures` requests, and passes each accepted body on.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::mpsc;

/// A webhook receiver on 127.0.0.1 that answers 503 to the first `failures` requests (every
/// request when `None`) and 200 after, and passes each verified body on.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<AtomicU32>,
    pub bodies: mpsc::UnboundedReceiver<Value>,
    /// The signing secret, set by the test once the management API shows it.
    pub secret: Arc<std::sync::Mutex<String>>,
}

pub async fn receiver(failures: Option<u32>) -> Receiver {
    let hits = Arc::new(AtomicU32::new(0));
    let secret = Arc::new(std::sync::Mutex::new(String::new()));
    let (tx, bodies) = mpsc::unbounded_channel();
    let (h, s) = (hits.clone(), secret.clone());
    let handler = move |headers: HeaderMap, body: Bytes| {
        let (h, s, tx) = (h.clone(), s.clone(), tx.clone());
        async move {
            let n = h.fetch_add(1, Ordering::SeqCst) + 1;
            let header = headers["x-ivorey-signature"].to_str().unwrap().to_owned();
            let (t, v1) = header.split_once(',').unwrap();
            let t = t.strip_prefix("t=").unwrap();
            let key = s.lock().unwrap().clone();
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(format!("{t}.").as_bytes());
            mac.update(&body);
            let good = hex::decode(v1.strip_prefix("v1=").unwrap()).unwrap();
            if mac.verify_slice(&good).is_err() {
                return AxumStatus::UNAUTHORIZED;
            }
            if failures.is_none_or(|f| n <= f) {
                return AxumStatus::SERVICE_UNAVAILABLE;
            }
            let _ = tx.send(serde_json::from_slice::<Value>(&body).unwrap());
            AxumStatus::OK
        }
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver {
        url,
        hits,
        bodies,
        secret,
    }
}
