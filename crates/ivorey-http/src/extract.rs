//! Request extractors whose rejections use the API's error shape instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body. Malformed JSON is a 400; a well-formed body with unknown fields or wrong types
/// is a 422 naming the problem; an oversize body is a 413.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !has_json_content_type(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("Could not read the request body.".into())
            }
        })?;
        // serde would fill a struct from a JSON array by position; bodies are objects only.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|&b| b != b'{') {
            return Err(ApiError::Unprocessable(vec![
                "The request body must be a JSON object.".into(),
            ]));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn has_json_content_type(req: &Request) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Path parameters; a path that cannot be decoded (e.g. not UTF-8) is a 400 in the API's shape.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            ApiError::Unprocessable(vec![serde_cause(&e.body_text())])
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::BadRequest("The request body is not valid JSON.".into())
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        other => ApiError::BadRequest(format!(
            "Could not read the request body ({}).",
            other.status()
        )),
    }
}

/// Query parameters; unparseable ones are a 422 naming the problem.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::Unprocessable(vec![serde_cause(&e.body_text())]))
            }
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}

/// serde's message (with the field path, when serde gives one) without axum's prefix.
fn serde_cause(text: &str) -> String {
    let cause = text.split_once(": ").map_or(text, |(_, cause)| cause);
    // serde_json appends " at line 1 column 12"; the position means little to an API client.
    match cause.find(" at line ") {
        Some(i) => cause[..i].to_owned(),
        None => cause.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::serde_cause;

    #[test]
    fn serde_cause_keeps_the_reason_only() {
        assert_eq!(
            serde_cause(
                "Failed to deserialize the JSON body into the target type: name: invalid type: integer `1`, expected a string at line 1 column 9"
            ),
            "name: invalid type: integer `1`, expected a string"
        );
    }
}
