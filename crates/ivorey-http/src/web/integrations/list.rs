//! The list of a location's Private Integrations, with an empty state that explains them.

use axum::extract::{Path, Query, State};
use maud::{Markup, html};

use super::{Done, status};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::layout::{Tone, icon, notice};
use crate::web::scopes;
use crate::web::shell::{Section, Shell};

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let location = shell.admin(&state).await?;
    let now = state.clock.now();
    // "Last used" counts gather in memory for a few seconds; write them so the list is current.
    state.usage.flush(state.store.as_ref()).await;
    let integrations = state.store.list_integrations(&location, now).await?;
    let create = shell.url("/integrations/new");
    let content = html! {
        div.page-head {
            h1 { "Private Integrations" }
            @if !integrations.is_empty() {
                a.button.primary href=(create) { (icon("plus")) "Create New Integration" }
            }
        }
        @if done.done.as_deref() == Some("deleted") {
            (notice(Tone::Success, html! { "The integration was deleted. Its tokens no longer work." }))
        }
        p.lede {
            "Private Integrations let an external tool connect to this business through the API, \
             with a token that can only reach the scopes you choose. Create one per tool, so you can \
             change or revoke each without affecting the others."
        }
        @if integrations.is_empty() {
            section.card.empty {
                div.empty-icon aria-hidden="true" { (icon("key")) }
                h2 { "No Private Integrations yet" }
                p {
                    "When a tool asks for an API key, create an integration for it: name it after \
                     the tool, pick only the scopes it needs, and copy the token shown once."
                }
                a.button.primary href=(create) { (icon("plus")) "Create New Integration" }
            }
        } @else {
            div.card.table-card {
                table.list {
                    caption.visually-hidden { "Private Integrations of " (shell.location_name) }
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Scopes" }
                            th scope="col" { "Created" }
                            th scope="col" { "Last used" }
                            th scope="col" { "Status" }
                        }
                    }
                    tbody {
                        @for integration in &integrations {
                            tr {
                                td data-label="Name" {
                                    a.row-link href=(super::path(&shell, &integration.id, "")) { (integration.name) }
                                    @if let Some(description) = &integration.description {
                                        p.muted.clamp { (description) }
                                    }
                                }
                                td data-label="Scopes" { (scopes::summary(integration.scopes)) }
                                td data-label="Created" { (shell.zone.when(integration.created_at, now)) }
                                td data-label="Last used" {
                                    @match integration.last_used_at {
                                        Some(at) => (shell.zone.when(at, now)),
                                        None => span.muted { "Never" },
                                    }
                                }
                                td data-label="Status" { (status(integration, &shell.zone, now)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(shell.page(Section::Integrations, "Private Integrations", &[], content))
}
