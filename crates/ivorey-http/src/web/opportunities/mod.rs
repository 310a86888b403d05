//! Opportunities, as the business works them: a board per pipeline with a column per stage
//! (`board`: cards moved by a form post), a filtered list (`list`), and an opportunity's page
//! to create, edit, win, lose or delete it (`edit`). Everything goes through the same
//! `ivorey_app::opportunities` service as the public API, attributed to the signed-in user.

pub(crate) mod board;
pub(crate) mod edit;
pub(crate) mod list;
pub(crate) mod new;

use axum::http::StatusCode;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::user::User;
use ivorey_core::{OpportunityId, PipelineId};
use maud::{Markup, html};

use super::error::{WebError, WebResult};
use super::shell::Shell;
use crate::state::AppState;

/// The statuses, as (query and form value, label).
pub(crate) const STATUSES: [(OpportunityStatus, &str); 4] = [
    (OpportunityStatus::Open, "Open"),
    (OpportunityStatus::Won, "Won"),
    (OpportunityStatus::Lost, "Lost"),
    (OpportunityStatus::Abandoned, "Abandoned"),
];

pub(crate) fn status_label(status: OpportunityStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("Open", |(_, label)| label)
}

/// A status badge; open deals get none on a card (most are open), the others say so.
pub(crate) fn status_badge(status: OpportunityStatus) -> Markup {
    let class = match status {
        OpportunityStatus::Open => "badge badge-info",
        OpportunityStatus::Won => "badge badge-ok",
        OpportunityStatus::Lost => "badge badge-danger",
        OpportunityStatus::Abandoned => "badge badge-warn",
    };
    html! { span class=(class) { (status_label(status)) } }
}

/// An amount in minor units as the owner reads it: `1,250.50`, `300.00`.
pub(crate) fn money(minor: i64) -> String {
    let whole = super::format::number(u64::try_from(minor / 100).unwrap_or(0));
    format!("{whole}.{:02}", (minor % 100).abs())
}

pub(crate) fn missing() -> WebError {
    WebError::plain(
        StatusCode::NOT_FOUND,
        "Opportunity not found",
        "This opportunity does not exist. It may have been deleted.",
    )
}

/// The location's opportunity named in the path, or a "not found" page.
pub(crate) async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Opportunity> {
    let id = OpportunityId::parse(raw).map_err(|_| missing())?;
    state
        .store
        .get_opportunity(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}

/// The pipeline a page shows: the one asked for when it is the location's, else its first.
pub(crate) fn chosen<'a>(pipelines: &'a [Pipeline], asked: &str) -> Option<&'a Pipeline> {
    let asked = PipelineId::parse(asked).ok();
    asked
        .and_then(|id| pipelines.iter().find(|p| p.id == id))
        .or_else(|| pipelines.first())
}

/// The location's users, for "assigned to" names and choices.
pub(crate) async fn team(state: &AppState, shell: &Shell) -> WebResult<Vec<User>> {
    let users = state.store.location_users(&shell.location).await?;
    Ok(users.into_iter().map(|(u, _)| u).collect())
}

/// The name of the user `id` names, as the team shows it.
pub(crate) fn user_name<'a>(team: &'a [User], id: &str) -> Option<&'a str> {
    team.iter().find(|u| u.id.as_str() == id).map(|u| {
        if u.name.trim().is_empty() {
            u.email.as_str()
        } else {
            u.name.as_str()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn amounts_read_with_groups_and_cents() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(125_050), "1,250.50");
        assert_eq!(money(100_000_000), "1,000,000.00");
    }
}
