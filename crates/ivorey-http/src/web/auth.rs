//! Who is asking, and whether a posted form really came from our page.
//!
//! - `Viewer`: the signed-in user of the `ivorey_session` cookie (the management API's session),
//!   or a redirect to the sign-in page.
//! - `Posted`: a signed-in user's form whose hidden `csrf` field equals the session's token
//!   (constant-time); every state-changing web route takes one, so none can skip the check.
//! - `AnonForm`: the sign-in and setup forms, before any session exists, protected by a
//!   double-submit token: a random `ivorey_form` cookie (HttpOnly, SameSite=Strict) that the
//!   form must echo in its `csrf` field.

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use ivorey_core::random;
use subtle::ConstantTimeEq;

use super::error::WebError;
use super::forms::FormData;
use crate::error::ApiError;
use crate::session::SessionUser;
use crate::state::AppState;

/// The double-submit cookie of the sign-in and setup forms.
const FORM_COOKIE: &str = "ivorey_form";
const FORM_TOKEN_CHARS: usize = 32;

const FORGED: &str = "This form could not be verified as coming from this page, so nothing was \
    changed. Go back, reload the page and try again.";

/// A signed-in user, for pages that only show things.
#[derive(Debug)]
pub(crate) struct Viewer(pub SessionUser);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match SessionUser::from_cookie(parts, state).await {
            Ok(user) => Ok(Viewer(user)),
            Err(ApiError::Unauthorized(_)) => Err(WebError::SignIn {
                next: Some(parts.uri.path().to_owned()),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

/// A signed-in user's posted form that passed the CSRF check.
#[derive(Debug)]
pub(crate) struct Posted {
    pub user: SessionUser,
    pub form: FormData,
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let user = match SessionUser::from_cookie(&parts, state).await {
            Ok(user) => user,
            Err(ApiError::Unauthorized(_)) => return Err(WebError::SignIn { next: None }),
            Err(e) => return Err(e.into()),
        };
        let form = read_form(Request::from_parts(parts, body), state).await?;
        if !user.csrf_matches(form.get("csrf").as_bytes()) {
            return Err(WebError::plain(
                StatusCode::FORBIDDEN,
                "Form not accepted",
                FORGED,
            ));
        }
        Ok(Posted { user, form })
    }
}

/// The sign-in or setup form, checked against the `ivorey_form` cookie.
#[derive(Debug)]
pub(crate) struct AnonForm(pub FormData);

impl FromRequest<AppState> for AnonForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let cookie = form_cookie(request.headers()).map(str::to_owned);
        let form = read_form(request, state).await?;
        let sent = form.get("csrf").as_bytes();
        let matches = cookie.is_some_and(|c| bool::from(c.as_bytes().ct_eq(sent)));
        if !matches {
            return Err(WebError::plain(
                StatusCode::FORBIDDEN,
                "Form not accepted",
                "This form was open too long or did not come from this page. Reload the page \
                 and try again.",
            ));
        }
        Ok(AnonForm(form))
    }
}

async fn read_form(request: Request, state: &AppState) -> Result<FormData, WebError> {
    match Form::<Vec<(String, String)>>::from_request(request, state).await {
        Ok(Form(pairs)) => Ok(FormData(pairs)),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(WebError::plain(
                rejection.status(),
                "Too much data",
                "The form was too large.",
            ))
        }
        Err(rejection) => Err(WebError::plain(
            rejection.status(),
            "Form not accepted",
            "The form could not be read. Go back and try again.",
        )),
    }
}

fn form_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == FORM_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| v.len() == FORM_TOKEN_CHARS && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The token a sign-in or setup form must echo, and the cookie to set when the browser does not
/// have one yet.
pub(crate) fn form_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(existing) = form_cookie(headers) {
        return (existing.to_owned(), None);
    }
    let token = random::base62(FORM_TOKEN_CHARS);
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400{secure}");
    let value = HeaderValue::from_str(&cookie).expect("base62 and fixed text");
    (token, Some(value))
}

/// Adds `Set-Cookie` for a fresh form token, if one was minted.
pub(crate) fn with_form_cookie(
    mut response: axum::response::Response,
    cookie: Option<HeaderValue>,
) -> axum::response::Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}
