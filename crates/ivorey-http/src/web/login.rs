//! Sign-in, sign-out and first-run setup. Sign-in goes through the shared throttle (429 with
//! `Retry-After` after repeated failures); both forms carry the double-submit CSRF token.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{AnonForm, Posted, form_token, with_form_cookie};
use super::error::{WebResult, safe_next};
use super::forms::{Input, Problems};
use super::layout::{Tone, bare, notice};
use crate::error::ApiError;
use crate::session::SessionUser;
use crate::session::throttle::{ClientIp, LoginThrottle};
use crate::state::AppState;
use ivorey_app::accounts;

/// `/`: browsers go to the dashboard; anything else (an API client that lost its way) gets the
/// API's JSON "no such endpoint", as before the web app existed.
pub(crate) async fn home(headers: HeaderMap) -> Response {
    let wants_html = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        Redirect::to("/dashboard").into_response()
    } else {
        ApiError::NotFound("No such endpoint").into_response()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    done: Option<String>,
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    if state.store.count_locations().await? == 0 {
        return Ok(Redirect::to("/setup").into_response());
    }
    let (token, cookie) = form_token(&state, &headers);
    let signed_out = query.done.as_deref() == Some("signed-out");
    let next = query
        .next
        .as_deref()
        .and_then(safe_next)
        .unwrap_or_default();
    let page = login_form(&token, &next, "", signed_out, &Problems::none());
    Ok(with_form_cookie(page.into_response(), cookie))
}

fn login_form(
    token: &str,
    next: &str,
    email: &str,
    signed_out: bool,
    problems: &Problems,
) -> Markup {
    bare(
        "Sign in",
        html! {
            h1 #page-title { "Sign in" }
            p.lede { "Manage your business settings and Private Integrations." }
            @if signed_out { (notice(Tone::Success, html! { "You are signed out." })) }
            (problems.summary())
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                (Input { label: "Email", name: "email", value: email, kind: "email",
                    required: true, autocomplete: Some("username"), ..Default::default() }
                    .render(problems))
                (Input { label: "Password", name: "password", kind: "password", required: true,
                    autocomplete: Some("current-password"), ..Default::default() }
                    .render(problems))
                div.actions { button.primary type="submit" { "Sign in" } }
            }
        },
    )
}

pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<LoginThrottle>,
    ClientIp(ip): ClientIp,
    AnonForm(form): AnonForm,
) -> WebResult<Response> {
    let (email, password) = (form.get("email"), form.get("password"));
    let next = safe_next(form.get("next")).unwrap_or_default();
    let token = form.get("csrf");
    let checked = throttle
        .check_password(&state, ip.as_deref(), email, password)
        .await;
    match checked {
        Ok(Some(user)) => {
            let (cookie, _) = SessionUser::open(&state, &user).await?;
            let target = if next.is_empty() { "/dashboard" } else { &next };
            let mut response = Redirect::to(target).into_response();
            response.headers_mut().insert(SET_COOKIE, cookie);
            Ok(response)
        }
        Ok(None) => {
            let problems = Problems::general("Wrong email or password.");
            let page = login_form(token, &next, email, false, &problems);
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(ApiError::TooManyRequests { retry_after_secs }) => {
            let wait = super::format::duration(std::time::Duration::from_secs(
                retry_after_secs.div_ceil(60) * 60,
            ));
            let problems = Problems::general(format!(
                "Too many failed sign-ins for this email or from this network. \
                 For your security, try again in {wait}."
            ));
            let page = login_form(token, &next, email, false, &problems);
            let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn logout(State(state): State<AppState>, posted: Posted) -> WebResult<Response> {
    let clear = posted.user.close(&state).await?;
    let mut response = Redirect::to("/login?done=signed-out").into_response();
    response.headers_mut().insert(SET_COOKIE, clear);
    Ok(response)
}

const SETUP_LABELS: &[(&str, &str)] = &[
    ("name", "Business name"),
    ("adminName", "Your name"),
    ("adminEmail", "Email"),
    ("password", "Password"),
];

pub(crate) async fn setup_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> WebResult<Response> {
    if state.store.count_locations().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let (token, cookie) = form_token(&state, &headers);
    let page = setup_form(&token, ["", "", ""], &Problems::none());
    Ok(with_form_cookie(page.into_response(), cookie))
}

/// `values`: business name, your name, email (never the password).
fn setup_form(token: &str, values: [&str; 3], problems: &Problems) -> Markup {
    let [business, name, email] = values;
    bare(
        "Set up Ivorey",
        html! {
            h1 #page-title { "Welcome to Ivorey" }
            p.lede { "Create your business account. You will be its admin and can then connect tools with Private Integrations." }
            (problems.summary())
            form method="post" action="/setup" {
                input type="hidden" name="csrf" value=(token);
                (Input { label: "Business name", name: "name", value: business, required: true,
                    max_chars: Some(100), autocomplete: Some("organization"), ..Default::default() }
                    .render(problems))
                (Input { label: "Your name", name: "adminName", value: name, max_chars: Some(100),
                    autocomplete: Some("name"), ..Default::default() }.render(problems))
                (Input { label: "Email", name: "adminEmail", value: email, kind: "email",
                    required: true, autocomplete: Some("username"), ..Default::default() }
                    .render(problems))
                (Input { label: "Password", name: "password", kind: "password", required: true,
                    hint: Some("At least 10 characters. A few unrelated words make a strong one."),
                    autocomplete: Some("new-password"), ..Default::default() }.render(problems))
                div.actions { button.primary type="submit" { "Create business account" } }
            }
        },
    )
}

pub(crate) async fn setup(
    State(state): State<AppState>,
    AnonForm(form): AnonForm,
) -> WebResult<Response> {
    let admin_name = Some(form.get("adminName").trim()).filter(|n| !n.is_empty());
    let created = accounts::first_run_setup(
        state.store.as_ref(),
        state.clock.now(),
        form.get("name").to_owned(),
        form.get("adminEmail"),
        form.get("password"),
        admin_name,
    )
    .await;
    match created {
        Ok(user) => {
            let (cookie, _) = SessionUser::open(&state, &user).await?;
            let mut response = Redirect::to("/dashboard").into_response();
            response.headers_mut().insert(SET_COOKIE, cookie);
            Ok(response)
        }
        Err(e) => {
            let problems = Problems::from_error(e, SETUP_LABELS)?;
            let values = [
                form.get("name"),
                form.get("adminName"),
                form.get("adminEmail"),
            ];
            let page = setup_form(form.get("csrf"), values, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
