//! Users of a location through the public API, on both backends: the list and one user in
//! HighLevel's shapes (checked against `users.json`), the scope, and no user of another location.

use ivorey_core::user::Role;
use ivorey_core::{Clock, LocationId, UserId};
use ivorey_store::NewUser;
use reqwest::{Method, StatusCode};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    users_of_the_location_are_listed_with_their_roles,
    a_user_of_another_location_is_not_found,
    users_need_the_users_readonly_scope,
);

/// Adds a plain user to `location`; returns their id.
async fn add_member(app: &TestApp, location: &str, name: &str) -> String {
    let user = NewUser {
        id: UserId::generate(),
        email: format!(
            "{}@team.example",
            ivorey_core::random::base62(10).to_lowercase()
        ),
        name: name.into(),
        password_hash: ivorey_core::password::dummy_hash().to_owned(),
        created_at: app.clock.now(),
    };
    app.store.create_user(&user).await.expect("user");
    let location = LocationId::parse(location).expect("location id");
    app.store
        .set_membership(&location, &user.id, Role::User)
        .await
        .expect("membership");
    user.id.to_string()
}

async fn checked(
    app: &TestApp,
    token: &str,
    template: &str,
    path: &str,
) -> (StatusCode, serde_json::Value) {
    let (status, body) = app.api(token, Method::GET, path, None).await;
    spec::check("users.json", &Method::GET, template, status, &body);
    (status, body)
}

async fn users_of_the_location_are_listed_with_their_roles(app: TestApp) {
    let admin = app.new_admin("Team").await;
    let member = add_member(&app, &admin.location, "Aaron Member").await;
    let (_, token) = app.integration(&admin, &["users.readonly"]).await;
    let list = format!("/users/?locationId={}", admin.location);
    let (status, body) = checked(&app, &token, "/users/", &list).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let users = body["users"].as_array().expect("users");
    assert_eq!(users.len(), 2);
    // Listed by name; the admin's name is its random email, so find each by what it is.
    let by = |key: &str, value: &str| {
        let found = users.iter().find(|u| u[key] == value);
        found
            .unwrap_or_else(|| panic!("no user with {key} {value}: {body}"))
            .clone()
    };
    let listed_member = by("id", member.as_str());
    assert_eq!(listed_member["roles"]["role"], "user");
    let listed_admin = by("email", admin.email.as_str());
    assert_eq!(listed_admin["roles"]["role"], "admin");
    assert_eq!(
        listed_admin["roles"]["locationIds"][0],
        admin.location.as_str()
    );
    let (status, one) = checked(&app, &token, "/users/{userId}", &format!("/users/{member}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["name"], "Aaron Member");
    assert!(one["traceId"].is_string());
}

async fn a_user_of_another_location_is_not_found(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let other = app.new_admin("Theirs").await;
    let stranger = add_member(&app, &other.location, "Stranger").await;
    let (_, token) = app.integration(&admin, &["users.readonly"]).await;
    let (status, body) = app
        .api(&token, Method::GET, &format!("/users/{stranger}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, missing) = app
        .api(
            &token,
            Method::GET,
            &format!("/users/{}", UserId::generate()),
            None,
        )
        .await;
    assert_eq!(
        body["message"], missing["message"],
        "another location's user looks like no user"
    );
    let list = format!("/users/?locationId={}", other.location);
    let (status, body) = app.api(&token, Method::GET, &list, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["message"],
        "The token does not have access to this location."
    );
}

async fn users_need_the_users_readonly_scope(app: TestApp) {
    let admin = app.new_admin("Scoped").await;
    let (_, token) = app
        .integration(&admin, &["users.write", "contacts.readonly"])
        .await;
    let member = add_member(&app, &admin.location, "Member").await;
    for path in [
        format!("/users/?locationId={}", admin.location),
        format!("/users/{member}"),
    ] {
        let (status, body) = app.api(&token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            body["message"],
            "The token is not authorized for this scope."
        );
    }
}
