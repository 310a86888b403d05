//! What the scope gate hands a public handler: the admitted token's grant, once the gate has
//! checked the catalogue's scope and the request's location and counted the call. A handler
//! names no scope; taking `Granted` is how it gets the only location it may touch.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ivorey_core::LocationId;
use ivorey_core::access::TokenGrant;
use ivorey_core::changed_by::ChangedBy;

use crate::error::{ApiError, ApiResult, WRONG_LOCATION};

/// A request the scope gate let through. Moved into the request's extensions by the gate and
/// out of them by this extractor (`Clone` only because `Extensions` asks for it; never cloned).
#[derive(Debug, Clone)]
pub struct Granted {
    grant: TokenGrant,
}

impl Granted {
    pub(super) fn new(grant: TokenGrant) -> Self {
        Granted { grant }
    }

    /// The token's location: store calls take this one, never the client's.
    pub fn location(&self) -> &LocationId {
        &self.grant.location_id
    }

    /// Refuses a request whose body or query names another location (403, as HighLevel
    /// does). A missing locationId is the client's validation error.
    pub fn check_location(
        &self,
        requested: Option<&str>,
        field: &'static str,
    ) -> ApiResult<&LocationId> {
        match requested.map(str::trim) {
            None | Some("") => Err(ApiError::Unprocessable(vec![format!(
                "{field} should not be empty"
            )])),
            Some(id) if id == self.grant.location_id.as_str() => Ok(&self.grant.location_id),
            Some(_) => Err(ApiError::Forbidden(WRONG_LOCATION.into())),
        }
    }

    /// The integration, as the changer of what this request writes.
    pub fn changer(&self) -> ChangedBy {
        ChangedBy::Integration(self.grant.integration_id.clone())
    }

    pub fn grant(&self) -> &TokenGrant {
        &self.grant
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Granted {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        // Only a route built without the gate gets here empty-handed: a server bug, not the
        // client's, and never a way past the checks.
        parts.extensions.remove::<Granted>().ok_or_else(|| {
            ApiError::Internal("a public handler ran without the scope gate in front".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::extract::FromRequestParts;
    use axum::http::{Request, StatusCode};
    use axum::response::IntoResponse;
    use serde_json::Value;

    use super::Granted;

    #[tokio::test]
    async fn a_handler_without_the_gate_in_front_answers_500_in_the_error_shape() {
        let (mut parts, ()) = Request::new(()).into_parts();
        let refused = Granted::from_request_parts(&mut parts, &())
            .await
            .expect_err("no gate, no grant");
        let response = refused.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(response.into_body(), 4096).await.expect("body");
        let body: Value = serde_json::from_slice(&body).expect("JSON error body");
        assert_eq!(body["statusCode"], 500);
        assert_eq!(
            body["message"],
            "Internal server error. Quote the traceId when reporting it."
        );
    }
}
