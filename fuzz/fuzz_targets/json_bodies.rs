//! Every JSON request body of the public API, through the real router on a real SQLite store:
//! the first byte picks an endpoint, the rest is the body. Whatever the bytes, the answer is
//! never a 5xx (a client's mistake is a 4xx), and it is JSON.
#![no_main]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use ivorey_app as app;
use ivorey_app::ratelimit::RateLimits;
use ivorey_core::audit::Actor;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::integration::IntegrationInput;
use ivorey_core::location::BusinessProfile;
use ivorey_core::{Clock, ContactId, Scope, SystemClock};
use ivorey_http::{AppState, HttpConfig, router};
use ivorey_store::Store;
use ivorey_store_sqlite::SqliteStore;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

/// A location with a contact, a pipeline and a token with every scope.
struct World {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    location: String,
    contact: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = std::env::temp_dir().join(format!("ivorey-fuzz-{}", std::process::id()));
        let (state, token, location, contact) = runtime.block_on(async {
            std::fs::create_dir_all(&dir).expect("a temp folder");
            let store = SqliteStore::open(&dir.join("ivorey.db")).expect("open");
            store.migrate().await.expect("migrate");
            let store: Arc<dyn Store> = Arc::new(store);
            let now = SystemClock.now();
            let profile = BusinessProfile {
                name: "Fuzz".into(),
                ..Default::default()
            };
            let created = app::accounts::create_location(
                store.as_ref(),
                now,
                profile,
                "fuzz@example.com",
                None,
                Some("correct horse battery staple"),
            )
            .await
            .expect("location");
            let location = created.location.id;
            let input = IntegrationInput {
                name: "fuzz".into(),
                description: None,
                scopes: Scope::ALL.iter().map(|s| s.name().to_owned()).collect(),
                expires_at: None,
                ip_allowlist: Vec::new(),
            };
            let issued =
                app::integrations::create(store.as_ref(), now, &location, &input, &Actor::cli())
                    .await
                    .expect("integration");
            let contact = Contact {
                id: ContactId::generate(),
                location_id: location.clone(),
                fields: ContactFields {
                    first_name: Some("Fuzz".into()),
                    ..Default::default()
                },
                date_added: now,
                date_updated: now,
                created_by: None,
                updated_by: None,
            };
            store.insert_contact(&contact).await.expect("contact");
            app::pipelines::create_pipeline(
                store.as_ref(),
                now,
                &location,
                "Sales",
                &["New", "Won"],
            )
            .await
            .expect("pipeline");
            let unlimited = RateLimits {
                burst_max: 1 << 40,
                daily_max: 1 << 40,
                ..RateLimits::default()
            };
            let config = HttpConfig {
                rate_limits: unlimited,
                ..HttpConfig::default()
            };
            let state = AppState::new(store, Arc::new(SystemClock), config);
            (
                state,
                issued.token.expose_secret().to_owned(),
                location.to_string(),
                contact.id.to_string(),
            )
        });
        World {
            runtime,
            router: router(state),
            token,
            location,
            contact,
        }
    })
}

/// (method, path) of every public endpoint that takes a JSON body; `{loc}` and `{contact}` are
/// replaced by the seeded ids.
const ENDPOINTS: &[(Method, &str)] = &[
    (Method::POST, "/contacts/"),
    (Method::PUT, "/contacts/{contact}"),
    (Method::POST, "/contacts/upsert"),
    (Method::POST, "/contacts/search"),
    (Method::POST, "/contacts/{contact}/tags"),
    (Method::DELETE, "/contacts/{contact}/tags"),
    (Method::POST, "/contacts/{contact}/notes"),
    (Method::POST, "/contacts/{contact}/tasks"),
    (Method::POST, "/opportunities/"),
    (Method::POST, "/opportunities/upsert"),
    (Method::POST, "/opportunities/search"),
    (Method::POST, "/locations/{loc}/customFields"),
    (Method::POST, "/conversations/"),
    (Method::POST, "/conversations/messages"),
    (Method::POST, "/conversations/messages/inbound"),
    (Method::POST, "/calendars/"),
    (Method::POST, "/calendars/events/appointments"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let w = world();
    let (method, template) = &ENDPOINTS[usize::from(pick) % ENDPOINTS.len()];
    let path = template
        .replace("{loc}", &w.location)
        .replace("{contact}", &w.contact);
    let mut request = Request::builder()
        .method(method.clone())
        .uri(&path)
        .header(header::AUTHORIZATION, format!("Bearer {}", w.token))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Version", "2021-07-28")
        .body(Body::from(body.to_vec()))
        .expect("request");
    let peer: SocketAddr = ([127, 0, 0, 1], 40000).into();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = w
        .runtime
        .block_on(w.router.clone().oneshot(request))
        .expect("infallible");
    let status = response.status();
    assert!(
        !status.is_server_error(),
        "{method} {template} answered {status} for {body:?}"
    );
});
