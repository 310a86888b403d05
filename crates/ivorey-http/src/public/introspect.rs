//! `GET /token/introspect`: tells a tool which integration, location and scopes its token has,
//! and when it stops working. Needs no scope and no `Version` header (HighLevel has no such
//! endpoint, so no SDK sends one); the scope gate counts it in usage with no scope. Answered
//! from the verified grant alone (no database work once the token is cached): it is the
//! cheapest authenticated call, and a tool may poll it.

use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp};
use serde::Serialize;

use super::Granted;
use crate::error::ApiResult;
use crate::reply::{Reply, ok};

/// The reply, serialized from the grant without an intermediate `Value`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Introspection {
    active: bool,
    integration: IntegrationRef,
    location_id: LocationId,
    scopes: ScopeSet,
    token: TokenState,
}

#[derive(Debug, Serialize)]
struct IntegrationRef {
    id: IntegrationId,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenState {
    state: &'static str,
    expires_at: Option<Timestamp>,
}

pub async fn introspect(granted: Granted) -> ApiResult<Reply<Introspection>> {
    let grant = granted.grant();
    Ok(ok(Introspection {
        active: true,
        integration: IntegrationRef {
            id: grant.integration_id.clone(),
        },
        location_id: grant.location_id.clone(),
        scopes: grant.scopes,
        token: TokenState {
            state: if grant.token_expires_at.is_some() {
                "grace"
            } else {
                "current"
            },
            expires_at: grant.expires_at(),
        },
    }))
}
