//! Where a signed-in user without a location in the URL goes: `/dashboard` (sign-in and setup
//! land there), `/settings` and `/l/{location}/settings` open a business's first page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::LocationId;

use super::auth::Viewer;
use super::error::{WebError, WebResult};
use super::frame::Area;
use crate::state::AppState;

/// `/settings`: the first business's settings.
pub(crate) async fn settings_home(state: State<AppState>, viewer: Viewer) -> WebResult<Response> {
    first_business(state, viewer, "/settings/business").await
}

/// `/dashboard`, where sign-in and setup land: the first business's dashboard.
pub(crate) async fn dashboard_home(state: State<AppState>, viewer: Viewer) -> WebResult<Response> {
    first_business(state, viewer, Area::Dashboard.path()).await
}

async fn first_business(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    rest: &str,
) -> WebResult<Response> {
    let memberships = state.store.memberships(&user.user.id).await?;
    match memberships.first() {
        Some(m) => Ok(Redirect::to(&format!("/l/{}{rest}", m.location_id)).into_response()),
        None => Err(WebError::plain(
            StatusCode::FORBIDDEN,
            "No business yet",
            "Your account is not a member of any business. Ask an admin to add you.",
        )),
    }
}

/// `/l/{location}/settings`: its first section.
pub(crate) async fn location_home(Path(location): Path<String>, _viewer: Viewer) -> Response {
    let target = match LocationId::parse(&location) {
        Ok(id) => format!("/l/{id}/settings/business"),
        Err(_) => "/settings".to_owned(),
    };
    Redirect::to(&target).into_response()
}
