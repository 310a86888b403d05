//! `GET /token/introspect`: tells a tool which integration, location and scopes its token has,
//! and when it stops working. Needs no scope and no `Version` header (HighLevel has no such
//! endpoint, so no SDK sends one). Answered from the verified grant alone (no database work
//! once the token is cached): it is the cheapest authenticated call, and a tool may poll it.

use serde_json::json;

use super::Authed;
use crate::error::ApiResult;
use crate::reply::{Reply, ok};

pub async fn introspect(auth: Authed) -> ApiResult<Reply<serde_json::Value>> {
    auth.record_unscoped();
    let grant = auth.grant();
    Ok(ok(json!({
        "active": true,
        "integration": { "id": grant.integration_id },
        "locationId": grant.location_id,
        "scopes": grant.scopes,
        "token": {
            "state": if grant.token_expires_at.is_some() { "grace" } else { "current" },
            "expiresAt": grant.expires_at(),
        },
    })))
}
