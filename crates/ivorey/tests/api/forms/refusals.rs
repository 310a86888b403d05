//! Every forms endpoint without its scope (401, nothing changed) and with another location
//! (403 for a locationId, 404 for a form of another location in the management API).

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{create_form, get_ok, tenant};
use crate::common::TestApp;

pub async fn every_endpoint_refuses_a_token_without_its_scope_or_location(app: TestApp) {
    let t = tenant(&app).await;
    let other = tenant(&app).await;
    let form = create_form(&app, &t, "Mine").await;
    let (_, no_forms) = app.integration(&t.admin, &["contacts.readonly"]).await;
    let loc = &t.location;
    let paths = [
        format!("/forms/?locationId={loc}"),
        format!("/forms/submissions?locationId={loc}"),
    ];
    for path in &paths {
        let (status, body) = app.api(&no_forms, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(
            body["message"],
            "The token is not authorized for this scope."
        );
        let foreign = path.replace(loc.as_str(), &other.location);
        let (status, body) = app.api(&t.token, Method::GET, &foreign, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{foreign}: {body}");
        let (status, _) = app
            .api(
                &t.token,
                Method::GET,
                &path.replace(&format!("locationId={loc}"), ""),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} without locationId"
        );
    }
    // Another location's admin cannot see or change this form; the answers match a missing one.
    let theirs = format!("/manage/locations/{}/forms/{form}", other.location);
    let missing = format!(
        "/manage/locations/{}/forms/abcdefghij0123456789",
        other.location
    );
    for method in [Method::GET, Method::DELETE] {
        let (s1, mut b1) = app
            .manage(&other.admin.session, method.clone(), &theirs, None)
            .await;
        let (s2, mut b2) = app
            .manage(&other.admin.session, method.clone(), &missing, None)
            .await;
        assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        b1["traceId"] = json!(null);
        b2["traceId"] = json!(null);
        assert_eq!(b1, b2);
    }
    let mine_from_them = format!("/manage/locations/{loc}/forms/{form}");
    let (status, _) = app
        .manage(&other.admin.session, Method::GET, &mine_from_them, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed = get_ok(&app, &t.token, &paths[0], "/forms/").await;
    assert_eq!(listed["total"], 1, "the form is unchanged");
    // A token can never reach the management API.
    let (status, _) = app
        .api(
            &t.token,
            Method::GET,
            &format!("/manage/locations/{loc}/forms"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
