//! The Team page's changes: roles, removal (sessions end at once), the last admin, other
//! locations' ids, and forms without their CSRF token.

use ivorey_app::AppError;
use ivorey_app::team;
use ivorey_core::audit::Actor;
use ivorey_core::user::Role;
use ivorey_core::{Clock, LocationId};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{add_on_page, member, members, team_page, users_path};
use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{Admin, PASSWORD, TestApp};

const LAST_ADMIN: &str = "A business needs at least one admin";

/// The member's id, as the admin's list names it.
async fn id_of(app: &TestApp, admin: &Admin, email: &str) -> String {
    let found = member(app, admin, email).await.expect("a member");
    found["id"].as_str().expect("id").to_owned()
}

fn member_page(location: &str, id: &str, rest: &str) -> String {
    format!("/l/{location}/settings/team/{id}{rest}")
}

async fn post_role(app: &TestApp, admin: &Admin, id: &str, role: &str) -> (StatusCode, String) {
    let fields = [("csrf", admin.session.csrf.as_str()), ("role", role)];
    let path = member_page(&admin.location, id, "/role");
    let (status, _, body) = post_form(app, &admin.session.cookie, &path, &fields).await;
    (status, body)
}

async fn post_remove(app: &TestApp, admin: &Admin, id: &str, confirmed: bool) -> StatusCode {
    let mut fields = vec![("csrf", admin.session.csrf.as_str())];
    if confirmed {
        fields.push(("confirmed", "yes"));
    }
    let path = member_page(&admin.location, id, "/remove");
    post_form(app, &admin.session.cookie, &path, &fields)
        .await
        .0
}

pub async fn an_admin_changes_a_role_and_it_applies_at_once(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let team = team_page(&admin.location);
    assert_eq!(
        get_page(&app, &user.cookie, &team).await.0,
        StatusCode::FORBIDDEN
    );

    let id = id_of(&app, &admin, &email).await;
    let (status, body) = post_role(&app, &admin, &id, "owner").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("role must be admin or user"), "{body}");
    assert_eq!(
        member(&app, &admin, &email).await.expect("member")["role"],
        "user"
    );

    let (status, _) = post_role(&app, &admin, &id, "admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = get_page(&app, &user.cookie, &team).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the same session is an admin now: {page}"
    );
    let (status, _, page) =
        get_page(&app, &admin.session.cookie, &format!("{team}?done=role")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The role was changed"), "{page}");

    let (status, _) = post_role(&app, &admin, &id, "user").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        get_page(&app, &user.cookie, &team).await.0,
        StatusCode::FORBIDDEN
    );
}

pub async fn removing_a_member_ends_their_sessions_at_once(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let other = app.new_admin("Other business").await;
    let email = add_member(&app, &admin.location, Role::User).await;
    // She belongs to a second business too.
    let other_id = {
        let found = add_on_page(&app, &other, "Plain User", &email, "user").await;
        assert_eq!(found.0, StatusCode::CREATED, "{}", found.1);
        assert!(
            found.1.contains("already has an Ivorey account"),
            "{}",
            found.1
        );
        id_of(&app, &other, &email).await
    };
    assert!(!other_id.is_empty());
    let user = app.sign_in(&email, PASSWORD).await;
    let dashboard = format!("/l/{}/dashboard", admin.location);
    assert_eq!(
        get_page(&app, &user.cookie, &dashboard).await.0,
        StatusCode::OK
    );

    let id = id_of(&app, &admin, &email).await;
    let confirm = member_page(&admin.location, &id, "/remove");
    let (status, _, page) = get_page(&app, &admin.session.cookie, &confirm).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("They lose access at once"), "{page}");
    // A post that skipped the confirmation only shows it.
    assert_eq!(post_remove(&app, &admin, &id, false).await, StatusCode::OK);
    assert!(member(&app, &admin, &email).await.is_some());

    assert_eq!(
        post_remove(&app, &admin, &id, true).await,
        StatusCode::SEE_OTHER
    );
    assert!(member(&app, &admin, &email).await.is_none());
    let (status, headers, _) = get_page(&app, &user.cookie, &dashboard).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
    assert!(
        headers["location"]
            .to_str()
            .expect("location")
            .starts_with("/login")
    );
    let (status, _) = app.manage(&user, Method::GET, "/manage/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Signed in again, she reaches the other business only.
    let again = app.sign_in(&email, PASSWORD).await;
    assert_eq!(
        get_page(&app, &again.cookie, &dashboard).await.0,
        StatusCode::NOT_FOUND
    );
    let theirs = format!("/l/{}/dashboard", other.location);
    assert_eq!(
        get_page(&app, &again.cookie, &theirs).await.0,
        StatusCode::OK
    );
}

pub async fn the_last_admin_can_be_neither_demoted_nor_removed(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let me = id_of(&app, &admin, &admin.email).await;
    let (status, body) = post_role(&app, &admin, &me, "user").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains(LAST_ADMIN), "{body}");
    assert_eq!(
        post_remove(&app, &admin, &me, true).await,
        StatusCode::CONFLICT
    );
    let path = format!("{}/{me}", users_path(&admin.location));
    let demote = Some(json!({ "role": "user" }));
    let (status, body) = app
        .manage(&admin.session, Method::PATCH, &path, demote)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains(LAST_ADMIN)
    );
    let (status, _) = app
        .manage(&admin.session, Method::DELETE, &path, None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        member(&app, &admin, &admin.email).await.expect("still")["role"],
        "admin"
    );
    let team = team_page(&admin.location);
    assert_eq!(
        get_page(&app, &admin.session.cookie, &team).await.0,
        StatusCode::OK
    );

    // With a second admin, the first may step down.
    let second = add_member(&app, &admin.location, Role::Admin).await;
    let (status, _) = post_role(&app, &admin, &me, "user").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = Admin {
        location: admin.location.clone(),
        email: second.clone(),
        session: app.sign_in(&second, PASSWORD).await,
    };
    assert_eq!(
        member(&app, &second, &admin.email).await.expect("first")["role"],
        "user"
    );
    assert_eq!(
        get_page(&app, &admin.session.cookie, &team).await.0,
        StatusCode::FORBIDDEN
    );
}

pub async fn two_admins_demoting_each_other_at_once_leave_one_admin(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let email = add_member(&app, &admin.location, Role::Admin).await;
    let second = Admin {
        location: admin.location.clone(),
        email: email.clone(),
        session: app.sign_in(&email, PASSWORD).await,
    };
    let first_id = id_of(&app, &admin, &admin.email).await;
    let second_id = id_of(&app, &admin, &email).await;
    let path = |id: &str| format!("{}/{id}", users_path(&admin.location));
    for round in 0..5 {
        let demote = Some(json!({ "role": "user" }));
        let (to_second, to_first) = (path(&second_id), path(&first_id));
        let (a, b) = tokio::join!(
            app.manage(&admin.session, Method::PATCH, &to_second, demote.clone()),
            app.manage(&second.session, Method::PATCH, &to_first, demote),
        );
        // The loser is refused by the guard (409) or, when the winner committed before its
        // request was let in, as a user (403); never may both pass.
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::OK, "round {round}: {a:?} {b:?}");
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&statuses[1]),
            "round {round}: {a:?} {b:?}"
        );
        let all = members(
            &app,
            if a.0 == StatusCode::OK {
                &admin
            } else {
                &second
            },
        )
        .await;
        let admins = all.iter().filter(|m| m["role"] == "admin").count();
        assert_eq!(admins, 1, "round {round}: {all:?}");
        // Whoever is still admin promotes the other back for the next round.
        let (winner, loser) = if a.0 == StatusCode::OK {
            (&admin, &second_id)
        } else {
            (&second, &first_id)
        };
        let promote = Some(json!({ "role": "admin" }));
        let (status, body) = app
            .manage(&winner.session, Method::PATCH, &path(loser), promote)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // Past the gate, straight at the service: the store's guard alone decides.
    let location = LocationId::parse(&admin.location).expect("location");
    let actor = Actor::cli();
    for round in 0..10 {
        let store = app.store.as_ref();
        let now = app.clock.now();
        let (a, b) = tokio::join!(
            team::change_role(store, now, &location, &second_id, "user", &actor),
            team::change_role(store, now, &location, &first_id, "user", &actor),
        );
        let refused = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(AppError::Conflict(_))))
            .count();
        assert_eq!(
            (a.is_ok() as u8 + b.is_ok() as u8, refused),
            (1, 1),
            "round {round}: {a:?} {b:?}"
        );
        let loser = if a.is_ok() { &second_id } else { &first_id };
        team::change_role(store, now, &location, loser, "admin", &actor)
            .await
            .expect("promote back");
    }
}

pub async fn another_locations_ids_answer_exactly_as_missing_ones(app: TestApp) {
    let mine = app.new_admin("Mine").await;
    let theirs = app.new_admin("Theirs").await;
    let their_user = add_member(&app, &theirs.location, Role::User).await;
    let their_id = id_of(&app, &theirs, &their_user).await;
    let missing = "abcdefghij0123456789";

    // Their location, through my session.
    let (status, _, _) = get_page(&app, &mine.session.cookie, &team_page(&theirs.location)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let fields = [
        ("csrf", mine.session.csrf.as_str()),
        ("name", "Sneaky"),
        ("email", "sneaky@example.com"),
        ("role", "admin"),
    ];
    let path = team_page(&theirs.location);
    let (status, _, _) = post_form(&app, &mine.session.cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .manage(
            &mine.session,
            Method::GET,
            &users_path(&theirs.location),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Their member's id, under my location: the same answers as an id nobody has.
    for id in [their_id.as_str(), missing] {
        let (status, body) = post_role(&app, &mine, id, "admin").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {body}");
        let confirm = member_page(&mine.location, id, "/remove");
        let (status, _, _) = get_page(&app, &mine.session.cookie, &confirm).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(
            post_remove(&app, &mine, id, true).await,
            StatusCode::NOT_FOUND
        );
        let path = format!("{}/{id}", users_path(&mine.location));
        let body = Some(json!({ "role": "admin" }));
        let (status, answer) = app.manage(&mine.session, Method::PATCH, &path, body).await;
        assert_eq!(
            (status, answer["message"].as_str()),
            (StatusCode::NOT_FOUND, Some("Member not found"))
        );
        let (status, answer) = app.manage(&mine.session, Method::DELETE, &path, None).await;
        assert_eq!(
            (status, answer["message"].as_str()),
            (StatusCode::NOT_FOUND, Some("Member not found"))
        );
    }
    let theirs_now = member(&app, &theirs, &their_user).await.expect("untouched");
    assert_eq!(theirs_now["role"], "user");
    assert!(member(&app, &theirs, "sneaky@example.com").await.is_none());
}

pub async fn a_form_without_its_csrf_token_changes_nothing(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let email = add_member(&app, &admin.location, Role::User).await;
    let id = id_of(&app, &admin, &email).await;
    let cookie = admin.session.cookie.as_str();
    for csrf in [None, Some("not-the-token")] {
        let with = |mut fields: Vec<(&'static str, &'static str)>| {
            fields.extend(csrf.map(|c| ("csrf", c)));
            fields
        };
        let add = with(vec![
            ("name", "Forged"),
            ("email", "forged@example.com"),
            ("role", "admin"),
        ]);
        let (status, _, _) = post_form(&app, cookie, &team_page(&admin.location), &add).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{csrf:?}");
        let role = with(vec![("role", "admin")]);
        let path = member_page(&admin.location, &id, "/role");
        assert_eq!(
            post_form(&app, cookie, &path, &role).await.0,
            StatusCode::FORBIDDEN
        );
        let remove = with(vec![("confirmed", "yes")]);
        let path = member_page(&admin.location, &id, "/remove");
        assert_eq!(
            post_form(&app, cookie, &path, &remove).await.0,
            StatusCode::FORBIDDEN
        );
    }
    // The JSON API wants its header.
    let response = app
        .http
        .post(app.url(&users_path(&admin.location)))
        .header("cookie", cookie)
        .json(&json!({ "name": "Forged", "email": "forged@example.com", "role": "admin" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(member(&app, &admin, "forged@example.com").await.is_none());
    assert_eq!(
        member(&app, &admin, &email).await.expect("still there")["role"],
        "user"
    );
}
