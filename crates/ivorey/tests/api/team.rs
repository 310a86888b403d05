//! Settings > Team on both backends, over plain HTTP as a browser and as the management API:
//! adding a user gives a one-time sign-in link (shown once, or emailed through the location's
//! SMTP server) that sets their password and signs them in; roles change; removing a member
//! ends their sessions at once; the last admin stays; another location's ids answer 404; a
//! form without its CSRF token changes nothing.

mod api;
mod browser;
mod link;
mod members;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::browser_support::{get_page, post_form};
use crate::common::{Admin, TestApp};

use api::{
    the_management_api_adds_lists_changes_and_removes_members,
    the_management_api_refuses_users_and_bad_input,
};
use link::{
    a_link_works_once_and_not_after_it_expires,
    an_added_user_sets_a_password_and_lands_signed_in_as_a_user,
    with_smtp_the_invitation_is_emailed_instead_of_shown,
};
use members::{
    a_form_without_its_csrf_token_changes_nothing, an_admin_changes_a_role_and_it_applies_at_once,
    another_locations_ids_answer_exactly_as_missing_ones,
    removing_a_member_ends_their_sessions_at_once,
    the_last_admin_can_be_neither_demoted_nor_removed,
    two_admins_demoting_each_other_at_once_leave_one_admin,
};

on_both_backends!(
    an_added_user_sets_a_password_and_lands_signed_in_as_a_user,
    a_link_works_once_and_not_after_it_expires,
    with_smtp_the_invitation_is_emailed_instead_of_shown,
    an_admin_changes_a_role_and_it_applies_at_once,
    removing_a_member_ends_their_sessions_at_once,
    the_last_admin_can_be_neither_demoted_nor_removed,
    two_admins_demoting_each_other_at_once_leave_one_admin,
    another_locations_ids_answer_exactly_as_missing_ones,
    a_form_without_its_csrf_token_changes_nothing,
    the_management_api_adds_lists_changes_and_removes_members,
    the_management_api_refuses_users_and_bad_input,
);

fn team_page(location: &str) -> String {
    format!("/l/{location}/settings/team")
}

fn users_path(location: &str) -> String {
    format!("/manage/locations/{location}/users")
}

/// The `name=value` of the `Set-Cookie` header naming `cookie`.
fn set_cookie(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{cookie}=")))
        .map(str::to_owned)
}

/// The value of the input with `id` in a page.
fn input_value(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let rest = &page[at..];
    let start = rest.find("value=\"")? + "value=\"".len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

/// Adds a member through the Team page's form; returns the answer's status and page.
async fn add_on_page(
    app: &TestApp,
    admin: &Admin,
    name: &str,
    email: &str,
    role: &str,
) -> (StatusCode, String) {
    let fields = [
        ("csrf", admin.session.csrf.as_str()),
        ("name", name),
        ("email", email),
        ("role", role),
    ];
    let path = team_page(&admin.location);
    let (status, _, body) = post_form(app, &admin.session.cookie, &path, &fields).await;
    (status, body)
}

/// Adds a user through the page and returns the sign-in link it shows.
async fn invite(app: &TestApp, admin: &Admin, email: &str, role: &str) -> String {
    let (status, body) = add_on_page(app, admin, "New Person", email, role).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    input_value(&body, "sign-in-link").expect("the page shows the link")
}

/// The admin's view of the members (management API).
async fn members(app: &TestApp, admin: &Admin) -> Vec<Value> {
    let path = users_path(&admin.location);
    let (status, body) = app.manage(&admin.session, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["users"].as_array().expect("users").clone()
}

/// The member with this email, if any.
async fn member(app: &TestApp, admin: &Admin, email: &str) -> Option<Value> {
    let all = members(app, admin).await;
    all.into_iter().find(|m| m["email"] == email)
}

/// Opens a sign-in link and posts `password`: the answer's status, headers and page.
async fn use_link(app: &TestApp, url: &str, password: &str) -> (StatusCode, HeaderMap, String) {
    let path = url
        .strip_prefix(&app.base)
        .expect("the link points at this server");
    let (status, headers, page) = get_page(app, "", path).await;
    // A dead link still needs a form cookie, to show the post is refused for the link itself.
    let cookie = if status == StatusCode::OK {
        assert!(page.contains("Choose your password"), "{page}");
        set_cookie(&headers, "ivorey_form").expect("form cookie")
    } else {
        let (_, headers, _) = get_page(app, "", "/login").await;
        set_cookie(&headers, "ivorey_form").expect("form cookie")
    };
    // The double-submit token: the form echoes the cookie's value.
    let csrf = cookie["ivorey_form=".len()..].to_owned();
    let fields = [("csrf", csrf.as_str()), ("password", password)];
    post_form(app, &cookie, path, &fields).await
}
