//! A local webhook receiver for tests: an axum server on 127.0.0.1 that verifies Ivorey's
//! `X-Ivorey-Signature` (HMAC-SHA256 of `t.body` with the location's secret), answers 401 to a
//! bad signature, 503 to the first `failures` requests, and passes each accepted body on; a
//! held receiver keeps each accepted request waiting until the test releases it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::{Semaphore, mpsc};

/// A webhook receiver on 127.0.0.1 that answers 503 to the first `failures` requests (every
/// request when `None`) and 200 after, and passes each verified body on.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<AtomicU32>,
    pub bodies: mpsc::UnboundedReceiver<Value>,
    /// The signing secret, set by the test once the management API shows it.
    pub secret: Arc<std::sync::Mutex<String>>,
    /// A held receiver's permits: each accepted request takes one before it is answered.
    gate: Option<Arc<Semaphore>>,
}

impl Receiver {
    /// Lets one request of a held receiver be answered (one that waits, or the next one).
    pub fn release(&self) {
        if let Some(gate) = &self.gate {
            gate.add_permits(1);
        }
    }
}

pub async fn receiver(failures: Option<u32>) -> Receiver {
    start(failures, None).await
}

/// A receiver that accepts every request (its body is passed on at once) but answers it only
/// once the test calls `release`, and then as a provider that delivered the message: so a test
/// can see a message pending while the provider works and delivered after.
pub async fn held_receiver() -> Receiver {
    start(Some(0), Some(Arc::new(Semaphore::new(0)))).await
}

async fn start(failures: Option<u32>, gate: Option<Arc<Semaphore>>) -> Receiver {
    let hits = Arc::new(AtomicU32::new(0));
    let secret = Arc::new(std::sync::Mutex::new(String::new()));
    let (tx, bodies) = mpsc::unbounded_channel();
    let (h, s, g) = (hits.clone(), secret.clone(), gate.clone());
    let handler = move |headers: HeaderMap, body: Bytes| {
        let (h, s, g, tx) = (h.clone(), s.clone(), g.clone(), tx.clone());
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
                return AxumStatus::UNAUTHORIZED.into_response();
            }
            if failures.is_none_or(|f| n <= f) {
                return AxumStatus::SERVICE_UNAVAILABLE.into_response();
            }
            let _ = tx.send(serde_json::from_slice::<Value>(&body).unwrap());
            match g {
                Some(gate) => {
                    gate.acquire().await.unwrap().forget();
                    axum::Json(serde_json::json!({ "status": "delivered" })).into_response()
                }
                None => AxumStatus::OK.into_response(),
            }
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
        gate,
    }
}
