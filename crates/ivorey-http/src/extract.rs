//! Request extractors whose rejections use the API's error shape instead of axum's plain text.
//! They are also where every text input is refused if it holds U+0000 (422 naming the field,
//! before any handler sees it): PostgreSQL cannot store or compare NUL in text, so without this
//! one backend answered 500 where the other matched nothing. Path, query and JSON body alike,
//! so no route can forget it.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

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
        refuse_nul_in_json(&bytes)?;
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
        // A raw NUL cannot be in a URI: only its escape can.
        if parts.uri.path().contains("%00")
            && let Ok(params) = RawPathParams::from_request_parts(parts, state).await
            && let Some((name, _)) = params.iter().find(|(_, value)| value.contains('\0'))
        {
            return Err(nul_in(name));
        }
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
        if let Some(query) = parts.uri.query().filter(|q| q.contains("%00")) {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(query).unwrap_or_default();
            refuse_nul_in_pairs(&pairs)?;
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::Unprocessable(vec![serde_cause(&e.body_text())]))
            }
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}

/// The 422 for a NUL in `field`.
fn nul_in(field: &str) -> ApiError {
    ApiError::Unprocessable(vec![format!("{field} must not contain NUL characters")])
}

/// Refuses a NUL in any name or value of decoded form or query pairs, naming the first.
pub(crate) fn refuse_nul_in_pairs(pairs: &[(String, String)]) -> Result<(), ApiError> {
    match pairs
        .iter()
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        Some((name, _)) => Err(nul_in(&name.replace('\0', "\\u0000"))),
        None => Ok(()),
    }
}

/// Refuses a NUL in any string (or member name) of a JSON body, naming it by its path, such as
/// `filters[0].value`. In JSON a NUL can only be the escape `\u0000` (a raw one is malformed), so
/// a body without that escape is not parsed twice.
pub(crate) fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    // Malformed JSON is left to the caller's own parse to describe.
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    match nul_path(&value, String::new()) {
        Some(path) if path.is_empty() => Err(nul_in("body")),
        Some(path) => Err(nul_in(&path)),
        None => Ok(()),
    }
}

/// The path of the first string holding a NUL: a member's name counts as its own path.
fn nul_path(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(name, item)| {
            let inner = match path.is_empty() {
                true => name.replace('\0', "\\u0000"),
                false => format!("{path}.{}", name.replace('\0', "\\u0000")),
            };
            match name.contains('\0') {
                true => Some(inner),
                false => nul_path(item, inner),
            }
        }),
        _ => None,
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
    use super::{refuse_nul_in_json, serde_cause};
    use crate::error::ApiError;

    fn refused(body: &str) -> Option<String> {
        match refuse_nul_in_json(body.as_bytes()) {
            Ok(()) => None,
            Err(ApiError::Unprocessable(messages)) => Some(messages.join("; ")),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_nul_anywhere_in_a_json_body_is_named_by_its_path() {
        let nul = |path: &str| Some(format!("{path} must not contain NUL characters"));
        assert_eq!(refused(r#"{"email":"a\u0000b"}"#), nul("email"));
        let deep = r#"{"ok":"x","filters":[{"field":"tags","value":["a","\u0000"]}]}"#;
        assert_eq!(refused(deep), nul("filters[0].value[1]"));
        assert_eq!(refused(r#"{"a\u0000":1}"#), nul("a\\u0000"));
        assert_eq!(refused(r#""\u0000""#), nul("body"));
        // An escaped backslash before `u0000` is text, not a NUL; nor is a number or a NUL-free body.
        assert_eq!(refused(r#"{"path":"C:\\u0000"}"#), None);
        assert_eq!(refused(r#"{"n":0,"s":"\u0001"}"#), None);
        // Malformed JSON is the caller's to describe.
        assert_eq!(refused(r#"{"email":"\u0000"#), None);
    }

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
