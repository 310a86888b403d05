//! The one error type of the HTTP layer. Bodies follow the HighLevel v2 error shapes
//! (`statusCode`, `message`, `error`) plus `traceId`; 5xx bodies say nothing internal, and the
//! cause is logged once with the trace id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ivorey_core::ValidationErrors;
use ivorey_store::StoreError;
use serde_json::json;

use crate::reply::json_response;
use ivorey_app::AppError;

/// Everything a handler can answer other than success.
#[derive(Debug)]
pub enum ApiError {
    /// 400: a malformed request (bad JSON, bad header, bad id format).
    BadRequest(String),
    /// 401: no token, or one that is malformed, unknown, revoked or expired.
    Unauthorized(&'static str),
    /// 401: the token is valid but lacks the endpoint's scope (HighLevel's observed answer).
    MissingScope,
    /// 403: the request names a location the token does not belong to, or is otherwise refused.
    Forbidden(String),
    /// 404: absent, or in another location (indistinguishable on purpose).
    NotFound(&'static str),
    /// 405
    MethodNotAllowed,
    /// 408: the request body did not arrive within the body-read limit.
    RequestTimeout,
    /// 409: the request conflicts with the current state.
    Conflict(String),
    /// 413
    PayloadTooLarge,
    /// 415
    UnsupportedMediaType,
    /// 422: the body or query failed validation; one message per problem.
    Unprocessable(Vec<String>),
    /// 429
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the database is unreachable; worth retrying.
    Unavailable,
    /// 500: a bug or an unexpected database error; the cause goes to the log only.
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

pub const MISSING_SCOPE: &str = "The token is not authorized for this scope.";
pub const WRONG_LOCATION: &str = "The token does not have access to this location.";

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Unprocessable(e.messages())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("Not found"),
            StoreError::Conflict(what) => ApiError::Conflict(what.to_owned()),
            StoreError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Other(cause) => ApiError::Internal(cause),
        }
    }
}

/// The application services' refusals, with the statuses and bodies clients have always seen.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(what) => ApiError::NotFound(what),
            AppError::Invalid(problems) => ApiError::Unprocessable(problems.messages()),
            AppError::Conflict(why) => ApiError::Conflict(why),
            AppError::TooManyRequests { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            AppError::Unavailable => ApiError::Unavailable,
            AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::MissingScope => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = status.as_u16();
        let body = match &self {
            ApiError::Unprocessable(messages) => {
                json!({"statusCode": code, "message": messages, "error": "Unprocessable Entity"})
            }
            ApiError::Unauthorized(message) => {
                json!({"statusCode": code, "message": message, "error": "Unauthorized"})
            }
            ApiError::MissingScope => json!({"statusCode": code, "message": MISSING_SCOPE}),
            ApiError::Forbidden(message) => {
                json!({"statusCode": code, "message": message, "error": "Forbidden"})
            }
            ApiError::BadRequest(message) | ApiError::Conflict(message) => {
                json!({"statusCode": code, "message": message, "error": reason(status)})
            }
            ApiError::NotFound(message) => json!({"statusCode": code, "message": message}),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                json!({"statusCode": code, "message": "Internal server error. Quote the traceId when reporting it."})
            }
            ApiError::Unavailable => json!({
                "statusCode": code,
                "message": "The service is temporarily unavailable. Retry shortly."
            }),
            ApiError::RequestTimeout => json!({
                "statusCode": code,
                "message": "The request body was not received in time.",
                "error": reason(status)
            }),
            ApiError::MethodNotAllowed
            | ApiError::PayloadTooLarge
            | ApiError::UnsupportedMediaType
            | ApiError::TooManyRequests { .. } => {
                json!({"statusCode": code, "message": reason(status)})
            }
        };
        let mut response = json_response(status, &body);
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ivorey\""),
            );
        }
        response
    }
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl ApiError {
    /// The message a client would see, for the CLI.
    pub fn describe(&self) -> String {
        match self {
            ApiError::BadRequest(m) | ApiError::Forbidden(m) | ApiError::Conflict(m) => m.clone(),
            ApiError::Unauthorized(m) | ApiError::NotFound(m) => (*m).to_owned(),
            ApiError::MissingScope => MISSING_SCOPE.to_owned(),
            ApiError::Unprocessable(messages) => messages.join("; "),
            ApiError::Unavailable => "the database is unavailable".to_owned(),
            ApiError::Internal(cause) => format!("internal error: {cause}"),
            other => reason(other.status()).to_owned(),
        }
    }
}
