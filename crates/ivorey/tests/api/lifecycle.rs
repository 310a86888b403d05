//! The seed's whole journey over real HTTP, on both backends: create an integration, use it,
//! edit its scopes, rotate later (both tokens work), let the grace run out (injected clock),
//! rotate now, delete.

use std::time::Duration;

use ivorey_core::Clock;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{self, TestApp};

on_both_backends!(
    the_help_article_lifecycle_works_end_to_end,
    a_second_rotation_ends_the_token_still_in_grace_at_once,
    an_admin_can_end_the_grace_early,
    integration_expiry_date_and_ip_allowlist_are_enforced,
    cli_style_changes_bind_the_running_server_at_once,
    usage_is_recorded_per_day_and_scope,
    usage_counts_every_call_the_gate_lets_through_and_no_refused_one,
    audit_log_names_who_did_what_and_never_the_token,
);

async fn the_help_article_lifecycle_works_end_to_end(app: TestApp) {
    let mut admin = app.new_admin("Acme Plumbing").await;
    let loc = admin.location.clone();
    // Create with Contacts View + Edit: the token is returned once, with the Location ID.
    let (status, created) = app
        .manage(
            &admin.session,
            Method::POST,
            &admin.integrations_path(),
            Some(json!({"name": "  Zapier  ", "description": "Lead sync", "scopes": ["contacts.readonly", "contacts.write"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["locationId"], loc.as_str());
    assert_eq!(created["integration"]["name"], "Zapier");
    let id = created["integration"]["id"].as_str().unwrap().to_owned();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("ivorey_pit_"));

    // The token works against the API.
    let contact = app.contact(&token, &loc, "Rosan").await;
    let (status, body) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["contact"]["firstName"], "Rosan");

    // Neither the list nor the detail ever shows the token again.
    let (_, listed) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integrations_path(),
            None,
        )
        .await;
    let (_, shown) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    for body in [&listed, &shown] {
        assert!(
            !body.to_string().contains(&token[11..]),
            "token leaked: {body}"
        );
    }
    assert_eq!(shown["integration"]["tokenHint"], &token[token.len() - 4..]);

    // Edit scopes to View only: the very next write is refused, reads still work.
    let (status, edited) = app
        .manage(
            &admin.session,
            Method::PATCH,
            &admin.integration_path(&id),
            Some(json!({"scopes": ["contacts.readonly"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let write = json!({"firstName": "Changed"});
    let (status, body) = app
        .api(
            &token,
            Method::PUT,
            &format!("/contacts/{contact}"),
            Some(write.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["message"],
        "The token is not authorized for this scope."
    );
    let (status, _) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Rotate and expire later: both tokens work during the grace.
    let (status, rotated) = app
        .manage(
            &admin.session,
            Method::POST,
            &format!("{}/rotate", admin.integration_path(&id)),
            Some(json!({"expire": "later"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["token"].as_str().unwrap().to_owned();
    assert_ne!(second, token);
    assert!(rotated["integration"]["previousToken"]["expiresAt"].is_string());
    for t in [&token, &second] {
        let (status, body) = app
            .api(t, Method::GET, &format!("/contacts/{contact}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Scopes were kept by the rotation.
    let (status, _) = app
        .api(
            &second,
            Method::PUT,
            &format!("/contacts/{contact}"),
            Some(write.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The grace runs out: the old token fails, the new one works.
    app.clock
        .advance(app.config.rotation_grace - Duration::from_secs(1));
    let (status, _) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one second before the end of the grace"
    );
    app.clock.advance(Duration::from_secs(1));
    let (status, body) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .api(&second, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // A week later the admin's sign-in has ended too.
    let (status, _) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integrations_path(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    admin.session = app.sign_in(&admin.email, common::PASSWORD).await;

    // Rotate and expire now: the second token fails on the next request.
    let (status, rotated) = app
        .manage(
            &admin.session,
            Method::POST,
            &format!("{}/rotate", admin.integration_path(&id)),
            Some(json!({"expire": "now"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let third = rotated["token"].as_str().unwrap().to_owned();
    let (status, _) = app
        .api(&second, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .api(&third, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Delete: the current token fails at once.
    let (status, _) = app
        .manage(
            &admin.session,
            Method::DELETE,
            &admin.integration_path(&id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .api(&third, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn a_second_rotation_ends_the_token_still_in_grace_at_once(app: TestApp) {
    let admin = app.new_admin("Two rotations").await;
    let (id, first) = app.integration(&admin, &["locations.readonly"]).await;
    let rotate = format!("{}/rotate", admin.integration_path(&id));
    let (_, r1) = app
        .manage(
            &admin.session,
            Method::POST,
            &rotate,
            Some(json!({"expire": "later"})),
        )
        .await;
    let second = r1["token"].as_str().unwrap().to_owned();
    let (_, r2) = app
        .manage(
            &admin.session,
            Method::POST,
            &rotate,
            Some(json!({"expire": "later"})),
        )
        .await;
    let third = r2["token"].as_str().unwrap().to_owned();
    let path = format!("/locations/{}", admin.location);
    assert_eq!(
        app.api(&first, Method::GET, &path, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(&second, Method::GET, &path, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.api(&third, Method::GET, &path, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        r2["integration"]["previousToken"]["tokenHint"],
        &second[second.len() - 4..]
    );
}

async fn an_admin_can_end_the_grace_early(app: TestApp) {
    let admin = app.new_admin("Early").await;
    let (id, old) = app.integration(&admin, &["locations.readonly"]).await;
    let expire = format!("{}/expire-old-token", admin.integration_path(&id));
    let (status, _) = app
        .manage(&admin.session, Method::POST, &expire, None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing in grace yet");
    let rotate = format!("{}/rotate", admin.integration_path(&id));
    let (_, rotated) = app
        .manage(
            &admin.session,
            Method::POST,
            &rotate,
            Some(json!({"expire": "later"})),
        )
        .await;
    let new = rotated["token"].as_str().unwrap().to_owned();
    let (status, body) = app
        .manage(&admin.session, Method::POST, &expire, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["integration"]["previousToken"].is_null());
    let path = format!("/locations/{}", admin.location);
    assert_eq!(
        app.api(&old, Method::GET, &path, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(&new, Method::GET, &path, None).await.0,
        StatusCode::OK
    );
}

async fn integration_expiry_date_and_ip_allowlist_are_enforced(app: TestApp) {
    let mut admin = app.new_admin("Limits").await;
    let (id, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    let tomorrow = app
        .clock
        .now()
        .plus(Duration::from_secs(86_400))
        .to_rfc3339();
    let (status, body) = app
        .manage(
            &admin.session,
            Method::PATCH,
            &admin.integration_path(&id),
            Some(json!({"expiresAt": tomorrow, "ipAllowlist": ["10.0.0.0/8"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The test client comes from 127.0.0.1, outside the allowlist.
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app
        .manage(
            &admin.session,
            Method::PATCH,
            &admin.integration_path(&id),
            Some(json!({"ipAllowlist": ["127.0.0.1", "::1"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.api(&token, Method::GET, &path, None).await.0,
        StatusCode::OK
    );
    app.clock.advance(Duration::from_secs(86_401));
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    admin.session = app.sign_in(&admin.email, common::PASSWORD).await;
    let (status, body) = app
        .manage(
            &admin.session,
            Method::PATCH,
            &admin.integration_path(&id),
            Some(json!({"ipAllowlist": ["10.0.0.0/33"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"][0].as_str().unwrap().contains("10.0.0.0/33"));
}

/// Operators change integrations through the same services, straight against the database
/// (as `ivorey integrations ...` does from another process): the server sees it at once.
async fn cli_style_changes_bind_the_running_server_at_once(app: TestApp) {
    let admin = app.new_admin("CLI").await;
    let (id, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    assert_eq!(
        app.api(&token, Method::GET, &path, None).await.0,
        StatusCode::OK
    );
    let location = ivorey_core::LocationId::parse(&admin.location).unwrap();
    let id = ivorey_core::IntegrationId::parse(&id).unwrap();
    let actor = ivorey_core::audit::Actor::cli();
    ivorey_app::integrations::delete(app.store.as_ref(), app.clock.now(), &location, &id, &actor)
        .await
        .expect("delete");
    assert_eq!(
        app.api(&token, Method::GET, &path, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn usage_is_recorded_per_day_and_scope(app: TestApp) {
    let admin = app.new_admin("Usage").await;
    let (id, token) = app
        .integration(
            &admin,
            &["contacts.readonly", "contacts.write", "locations.readonly"],
        )
        .await;
    for _ in 0..3 {
        app.api(
            &token,
            Method::GET,
            &format!("/locations/{}", admin.location),
            None,
        )
        .await;
    }
    app.contact(&token, &admin.location, "Counted").await;
    // A refused call is not usage of the scope it lacked.
    let (_, integration) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    assert!(
        integration["integration"]["lastUsedAt"].is_null(),
        "recorded in batches, not per request"
    );
    let (status, usage) = app
        .manage(
            &admin.session,
            Method::GET,
            &format!("{}/usage?days=7", admin.integration_path(&id)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{usage}");
    assert_eq!(usage["byScope"]["locations.readonly"], 3);
    assert_eq!(usage["byScope"]["contacts.write"], 1);
    let daily = usage["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 7);
    assert_eq!(daily[6]["count"], 4);
    assert!(usage["lastUsedAt"].is_string());
}

/// Usage is counted by the scope gate, under the catalogue's scope: a call the handler then
/// rejects (422) was still made by the integration and counts; a call refused for its scope or
/// its location does not; introspection counts with no scope.
async fn usage_counts_every_call_the_gate_lets_through_and_no_refused_one(app: TestApp) {
    let admin = app.new_admin("Counted Refusals").await;
    let other = app.new_admin("Elsewhere").await;
    let (id, token) = app
        .integration(&admin, &["contacts.write", "locations.readonly"])
        .await;
    let loc = admin.location.as_str();
    let not_an_object = Some(json!([]));
    let (status, body) = app
        .api(&token, Method::POST, "/contacts/", not_an_object)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let list = format!("/contacts/?locationId={loc}");
    let (status, _) = app.api(&token, Method::GET, &list, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "contacts.readonly is missing"
    );
    let foreign = format!("/locations/{}", other.location);
    let (status, _) = app.api(&token, Method::GET, &foreign, None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another location in the path"
    );
    let upsert = Some(json!({"locationId": other.location, "email": "x@example.com"}));
    let (status, _) = app
        .api(&token, Method::POST, "/contacts/upsert", upsert)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another location in the body"
    );
    let (status, _) = app
        .api(&token, Method::GET, "/token/introspect", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("{}/usage?days=7", admin.integration_path(&id));
    let (status, usage) = app.manage(&admin.session, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{usage}");
    // The upsert refused for its body's location passed the gate (the body is the handler's
    // to read), so it counts like the 422; the gate's refusals (scope, path location) do not.
    assert_eq!(usage["byScope"]["contacts.write"], 2, "{usage}");
    assert_eq!(usage["byScope"]["(no scope)"], 1, "{usage}");
    assert_eq!(
        usage["byScope"].as_object().map(|m| m.len()),
        Some(2),
        "{usage}"
    );
}

async fn audit_log_names_who_did_what_and_never_the_token(app: TestApp) {
    let admin = app.new_admin("Audit").await;
    let (id, token) = app.integration(&admin, &["contacts.readonly"]).await;
    app.manage(
        &admin.session,
        Method::PATCH,
        &admin.integration_path(&id),
        Some(json!({"scopes": ["contacts.write"]})),
    )
    .await;
    let (_, rotated) = app
        .manage(
            &admin.session,
            Method::POST,
            &format!("{}/rotate", admin.integration_path(&id)),
            Some(json!({"expire": "now"})),
        )
        .await;
    let second = rotated["token"].as_str().unwrap().to_owned();
    app.manage(
        &admin.session,
        Method::DELETE,
        &admin.integration_path(&id),
        None,
    )
    .await;
    let (status, log) = app
        .manage(
            &admin.session,
            Method::GET,
            &format!(
                "/manage/locations/{}/audit-log?integrationId={id}",
                admin.location
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<_> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "integration_deleted",
            "token_rotated_expire_now",
            "integration_updated",
            "integration_created"
        ]
    );
    for event in log["events"].as_array().unwrap() {
        assert_eq!(event["actor"], admin.email.as_str());
        assert_eq!(event["ip"], "127.0.0.1");
    }
    assert!(
        log["events"][2]["detail"]
            .as_str()
            .unwrap()
            .contains("contacts.write")
    );
    let text = log.to_string();
    assert!(
        !text.contains(&token[11..]) && !text.contains(&second[11..]),
        "token in audit log"
    );
}
