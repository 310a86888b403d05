//! `/manage/locations/{locationId}/users`: the same team operations as JSON, admins only.

use ivorey_core::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{members, use_link, users_path};
use crate::browser_support::add_member;
use crate::common::{PASSWORD, TestApp};

pub async fn the_management_api_adds_lists_changes_and_removes_members(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let path = users_path(&admin.location);
    let body = json!({ "name": "Ada Api", "email": "ada@example.com", "role": "user" });
    let (status, added) = app
        .manage(&admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["userId"].as_str().expect("userId").to_owned();
    assert_eq!(added["user"]["email"], "ada@example.com");
    assert_eq!(added["created"], true);
    assert_eq!(added["invitationEmailed"], false);
    let url = added["signInUrl"].as_str().expect("signInUrl").to_owned();
    assert!(url.starts_with(&format!("{}/invite/", app.base)), "{url}");

    let listed = members(&app, &admin).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        listed
            .iter()
            .any(|m| m["id"] == id.as_str() && m["role"] == "user")
    );
    assert!(
        !serde_json::to_string(&listed)
            .expect("json")
            .contains(url.rsplit('/').next().expect("token"))
    );

    // The same body again: already a member.
    let body = json!({ "name": "Ada Api", "email": "ADA@example.com", "role": "admin" });
    let (status, answer) = app
        .manage(&admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    let (status, _, page) = use_link(&app, &url, "ada's own passphrase").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let ada = app.sign_in("ada@example.com", "ada's own passphrase").await;

    let member = format!("{path}/{id}");
    let promote = Some(json!({ "role": "admin" }));
    let (status, changed) = app
        .manage(&admin.session, Method::PATCH, &member, promote)
        .await;
    assert_eq!(
        (status, changed["user"]["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );
    let (status, _) = app.manage(&ada, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "an admin now");

    let (status, removed) = app
        .manage(&admin.session, Method::DELETE, &member, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    // The link's sign-in and the password one: both end.
    assert_eq!(removed["sessionsEnded"], 2, "{removed}");
    let (status, _) = app.manage(&ada, Method::GET, "/manage/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "her session ended");
    assert_eq!(members(&app, &admin).await.len(), 1);

    // An existing account (here of another business) just joins: no link to hand over.
    let other = app.new_admin("Other").await;
    let body = json!({ "name": "ignored", "email": other.email, "role": "user" });
    let (status, added) = app
        .manage(&admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["created"], false);
    assert!(added["signInUrl"].is_null(), "{added}");
}

pub async fn the_management_api_refuses_users_and_bad_input(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let path = users_path(&admin.location);

    let bad = json!({ "name": " ", "email": "not-an-email", "role": "owner" });
    let (status, answer) = app
        .manage(&admin.session, Method::POST, &path, Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let messages = answer["message"].to_string();
    for field in ["name", "email", "role"] {
        assert!(
            messages.contains(&format!("\"{field} ")),
            "{field}: {answer}"
        );
    }
    let extra = json!({ "name": "A", "email": "a@example.com", "role": "user", "password": "x" });
    let (status, _) = app
        .manage(&admin.session, Method::POST, &path, Some(extra))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(members(&app, &admin).await.len(), 1, "nothing was added");

    // A user of the location may not see or change its team.
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let (status, _) = app.manage(&user, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = json!({ "name": "Mine", "email": "mine@example.com", "role": "admin" });
    let (status, _) = app.manage(&user, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let me = members(&app, &admin).await;
    let my_id = me
        .iter()
        .find(|m| m["email"] == email.as_str())
        .expect("user")["id"]
        .clone();
    let member = format!("{path}/{}", my_id.as_str().expect("id"));
    let promote = Some(json!({ "role": "admin" }));
    let (status, _) = app.manage(&user, Method::PATCH, &member, promote).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.manage(&user, Method::DELETE, &member, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(members(&app, &admin).await.len(), 2);

    // Someone of no location at all gets 404, as for a location that does not exist.
    let outsider = app.new_admin("Elsewhere").await;
    let (status, _) = app
        .manage(&outsider.session, Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let nowhere = users_path("abcdefghij0123456789");
    let (status, _) = app
        .manage(&admin.session, Method::GET, &nowhere, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
