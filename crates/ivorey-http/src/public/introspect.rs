//! `GET /token/introspect`: tells a tool which integration, location and scopes its token has,
//! and when it stops working. Needs no scope and no `Version` header (HighLevel has no such
//! endpoint, so no SDK sends one).

use axum::extract::State;
use serde_json::json;

use super::Authed;
use crate::AppState;
use crate::error::ApiResult;
use crate::reply::{Reply, ok};

pub async fn introspect(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<Reply<serde_json::Value>> {
    auth.record_unscoped();
    let grant = auth.grant();
    let now = state.clock.now();
    let integration = state
        .store
        .get_integration(&grant.location_id, &grant.integration_id, now)
        .await?;
    Ok(ok(json!({
        "active": true,
        "integration": {
            "id": grant.integration_id,
            "name": integration.map(|i| i.name),
        },
        "locationId": grant.location_id,
        "scopes": grant.scopes,
        "token": {
            "state": if grant.token_expires_at.is_some() { "grace" } else { "current" },
            "expiresAt": grant.expires_at(),
        },
    })))
}
