//! Settings > Private Integrations: the list, the three-step creation, an integration's page,
//! and its actions (edit, rotate, expire the old token, delete). Admins of the location only.

pub(crate) mod delete;
pub(crate) mod detail;
pub(crate) mod edit;
pub(crate) mod list;
pub(crate) mod rotate;
pub(crate) mod wizard;

use axum::http::StatusCode;
use ivorey_core::integration::Integration;
use ivorey_core::{IntegrationId, LocationId, Timestamp};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::{WebError, WebResult};
use super::format::{self, Zone};
use super::shell::Shell;
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::integrations as ops;

/// `?done=...` after a redirect: which confirmation to show.
#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    pub done: Option<String>,
}

/// The shell, the location (admins only) and the integration a page is about.
pub(crate) async fn load(
    state: &AppState,
    user: SessionUser,
    location: &str,
    id: &str,
) -> WebResult<(Shell, LocationId, Integration)> {
    let shell = Shell::load(state, user, location).await?;
    let location = shell.admin(state).await?;
    let missing = || {
        WebError::plain(
            StatusCode::NOT_FOUND,
            "Private Integration not found",
            "This Private Integration does not exist. It may have been deleted.",
        )
    };
    let id = IntegrationId::parse(id).map_err(|_| missing())?;
    let integration = ops::get(state.store.as_ref(), state.clock.now(), &location, &id)
        .await
        .map_err(|e| match e {
            ivorey_app::AppError::NotFound(_) => missing(),
            other => other.into(),
        })?;
    Ok((shell, location, integration))
}

/// The path of an integration's page, plus `rest`.
pub(crate) fn path(shell: &Shell, id: &IntegrationId, rest: &str) -> String {
    shell.url(&format!("/integrations/{id}{rest}"))
}

/// Badges: active or expired, the old token's grace, the integration's own expiry.
pub(crate) fn status(integration: &Integration, zone: &Zone, now: Timestamp) -> Markup {
    let expired = integration.expires_at.is_some_and(|t| t <= now);
    html! {
        span.badges {
            @if expired {
                span.badge.badge-danger { "Expired" }
            } @else {
                span.badge.badge-ok { "Active" }
            }
            @if let Some(old) = &integration.previous_token {
                span.badge.badge-warn title={ "Old token …" (old.token_hint) " works until " (zone.date_time(old.expires_at)) } {
                    "Old token expires " (format::relative(old.expires_at, now))
                }
            }
            @if let Some(at) = integration.expires_at.filter(|t| *t > now) {
                span.badge title=(zone.date_time(at)) { "Expires " (format::relative(at, now)) }
            }
        }
    }
}
