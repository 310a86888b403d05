//! Settings > Team over JSON (admins only, reading included: the list shows every member's
//! email): list, add (the one-time sign-in link is in this answer only), change a role,
//! remove. The last admin can be neither demoted nor removed (409).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use ivorey_app::team::{self, Added, Invite, NewMember};
use ivorey_store::team::Member;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::base_url::public_base;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;

fn describe(m: &Member) -> Value {
    json!({
        "id": m.user.id,
        "email": m.user.email,
        "name": m.user.name,
        "role": m.role,
        "addedAt": m.added_at,
        "invitationPending": m.invited,
    })
}

pub async fn list(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let members = team::members(state.store.as_ref(), &location).await?;
    let users: Vec<Value> = members.iter().map(describe).collect();
    Ok(ok(json!({ "users": users })))
}

pub async fn add(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewMember>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let base = public_base(&state, &headers);
    let now = state.clock.now();
    let actor = session.actor();
    let store = state.store.as_ref();
    let added = team::add_member(
        store,
        now,
        &location,
        &body,
        &base,
        Invite::EmailIfConfigured,
        &actor,
    )
    .await?;
    Ok(Reply(StatusCode::CREATED, added_body(&added)))
}

fn added_body(added: &Added) -> Value {
    json!({
        "userId": added.member.user.id,
        "user": describe(&added.member),
        "created": added.created,
        "signInUrl": added.sign_in_url,
        "signInUrlExpiresAt": added.expires_at,
        "invitationEmailed": added.emailed,
        "invitationEmailError": added.email_failed,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, user)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let actor = session.actor();
    let store = state.store.as_ref();
    let member = team::change_role(store, now, &location, &user, &body.role, &actor).await?;
    Ok(ok(json!({ "user": describe(&member) })))
}

pub async fn remove(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, user)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let actor = session.actor();
    let removed = team::remove_member(state.store.as_ref(), now, &location, &user, &actor).await?;
    Ok(ok(json!({
        "removed": describe(&removed.member),
        "sessionsEnded": removed.sessions_ended,
    })))
}
