//! What a page answers when it cannot show what was asked: a redirect to sign in, or an HTML
//! page that says what happened and what to do. Service errors (`ApiError`) become such pages;
//! 5xx pages say nothing internal and give the trace id to quote.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::bare;
use crate::error::ApiError;
use crate::reply::current_trace_id;

/// Everything a web handler can answer other than its page.
#[derive(Debug)]
pub(crate) enum WebError {
    /// Not signed in (or the session ended): go to the sign-in page, then back to `next`.
    SignIn { next: Option<String> },
    /// A finished page with its status (e.g. the admins-only explanation inside the settings).
    Page(StatusCode, Markup),
    /// A service error, shown as a plain page.
    Api(ApiError),
}

pub(crate) type WebResult<T> = Result<T, WebError>;

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError::Api(e)
    }
}

impl From<ivorey_app::AppError> for WebError {
    fn from(e: ivorey_app::AppError) -> Self {
        WebError::Api(e.into())
    }
}

impl From<ivorey_store::StoreError> for WebError {
    fn from(e: ivorey_store::StoreError) -> Self {
        WebError::Api(e.into())
    }
}

impl WebError {
    /// A plain page with a heading and an explanation.
    pub(crate) fn plain(status: StatusCode, title: &str, message: &str) -> WebError {
        WebError::Page(status, message_page(title, message))
    }
}

/// A centred page with a heading, a message and a way back.
pub(crate) fn message_page(title: &str, message: &str) -> Markup {
    bare(
        title,
        html! {
            h1 #page-title { (title) }
            p { (message) }
            p.actions { a.button href="/settings" { "Back to Settings" } }
        },
    )
}

/// Only paths of this app, made of plain characters, are followed after sign-in: never another
/// site (`//evil.example`), never anything a browser could read as a scheme.
pub(crate) fn safe_next(path: &str) -> Option<String> {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_".contains(c));
    (plain && path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => {
                let target = match next.as_deref().and_then(safe_next) {
                    Some(next) => format!("/login?next={next}"),
                    None => "/login".to_owned(),
                };
                Redirect::to(&target).into_response()
            }
            WebError::Page(status, page) => (status, page).into_response(),
            WebError::Api(e) => api_error_page(e),
        }
    }
}

fn api_error_page(e: ApiError) -> Response {
    let status = e.status();
    let (title, message) = match &e {
        ApiError::Unauthorized(_) => return WebError::SignIn { next: None }.into_response(),
        ApiError::NotFound(what) => ("Not found", format!("{what}. It may have been deleted.")),
        ApiError::Forbidden(why) => ("Not allowed", why.clone()),
        ApiError::Conflict(why) => ("That could not be done", why.clone()),
        ApiError::Unprocessable(problems) => ("That could not be saved", problems.join("; ")),
        ApiError::BadRequest(why) => ("That request could not be read", why.clone()),
        ApiError::TooManyRequests { retry_after_secs } => (
            "Too many attempts",
            format!(
                "Too many failed sign-ins. Wait {} before trying again.",
                super::format::duration(std::time::Duration::from_secs(*retry_after_secs))
            ),
        ),
        ApiError::Unavailable => (
            "Temporarily unavailable",
            "The database cannot be reached right now. Try again in a moment.".to_owned(),
        ),
        ApiError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            (
                "Something went wrong",
                format!(
                    "This is a bug on our side. If it happens again, quote this trace id: {}.",
                    current_trace_id()
                ),
            )
        }
        other => ("Something went wrong", other.describe()),
    };
    let mut response = (status, message_page(title, &message)).into_response();
    if let ApiError::TooManyRequests { retry_after_secs } = e {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_plain_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/l/abc/settings"), Some("/l/abc/settings".into()));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/a?b",
            "/\\evil",
            "x",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
