//! `/invite/{token}`: the page a one-time sign-in link opens. The new member chooses a password
//! (the rules of setup); posting it uses the link up, signs them in with the usual session
//! cookie and lands on the dashboard. A used, expired or withdrawn link gets a page that says
//! so and what to do. The form carries the double-submit token of the sign-in form.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::{AppError, team};
use maud::{Markup, html};

use crate::session::SessionUser;
use crate::session::throttle::ClientIp;
use crate::state::AppState;
use crate::web::auth::{AnonForm, form_token, with_form_cookie};
use crate::web::error::{WebError, WebResult, message_page};
use crate::web::forms::{Input, Problems};
use crate::web::layout::bare;

const LABELS: &[(&str, &str)] = &[("password", "Password")];

fn gone() -> WebError {
    WebError::Page(
        StatusCode::NOT_FOUND,
        message_page(
            "This sign-in link no longer works",
            "It was used already, it expired (links work for 7 days), or you were removed from \
             the business. If you already chose a password, sign in with it; otherwise ask an \
             admin of the business to remove and add you again for a new link.",
        ),
    )
}

fn link_error(e: AppError) -> WebError {
    match e {
        AppError::NotFound(_) => gone(),
        other => other.into(),
    }
}

/// Pages with the token in their address are never stored by a browser or a proxy.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let store = state.store.as_ref();
    let grant = team::find_link(store, state.clock.now(), &token)
        .await
        .map_err(link_error)?;
    let (csrf, cookie) = form_token(&state, &headers);
    let page = form(&token, &csrf, &grant.user.email, &Problems::none());
    Ok(private(with_form_cookie(page.into_response(), cookie)))
}

pub(crate) async fn set_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    AnonForm(posted): AnonForm,
) -> WebResult<Response> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    match team::set_password(store, now, &token, posted.get("password"), ip).await {
        Ok(user) => {
            let (cookie, _) = SessionUser::open(&state, &user).await?;
            let mut response = Redirect::to("/dashboard").into_response();
            response.headers_mut().insert(SET_COOKIE, cookie);
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => {
            let grant = team::find_link(store, now, &token)
                .await
                .map_err(link_error)?;
            let problems = Problems::from_error(AppError::Invalid(errors), LABELS)?;
            let page = form(&token, posted.get("csrf"), &grant.user.email, &problems);
            Ok(private(
                (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            ))
        }
        Err(e) => Err(link_error(e)),
    }
}

fn form(token: &str, csrf: &str, email: &str, problems: &Problems) -> Markup {
    bare(
        "Choose your password",
        html! {
            h1 #page-title { "Choose your password" }
            p.lede { "Welcome to Ivorey. Choose the password you will sign in with from now on." }
            (problems.summary())
            form method="post" action={ (team::LINK_PATH) (token) } {
                input type="hidden" name="csrf" value=(csrf);
                (Input { label: "Email", name: "email", value: email, kind: "email",
                    read_only: true, autocomplete: Some("username"), ..Default::default() }
                    .render(problems))
                (Input { label: "Password", name: "password", kind: "password", required: true,
                    hint: Some("At least 10 characters. A few unrelated words make a strong one."),
                    autocomplete: Some("new-password"), ..Default::default() }.render(problems))
                div.actions { button.primary type="submit" { "Set password and sign in" } }
            }
        },
    )
}
