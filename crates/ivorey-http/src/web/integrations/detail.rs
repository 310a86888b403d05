//! An integration's page: its token state and rotation actions, its scopes, its usage over the
//! last 30 days (a small bar chart, the scopes actually used), its audit trail, and the [⋮] menu
//! with Edit and Delete.

use axum::extract::{Path, Query, State};
use ivorey_core::audit::{AuditAction, AuditEvent};
use ivorey_core::integration::Integration;
use ivorey_core::{Scope, Timestamp};
use maud::{Markup, html};

use super::{Done, load, path, status};
use crate::state::AppState;
use crate::web::attribution;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::format::{self, Zone};
use crate::web::layout::{Tone, icon, notice};
use crate::web::scopes;
use crate::web::shell::{Section, Shell};
use crate::web::usage::{self, UsageSummary};

const USAGE_DAYS: i64 = 30;

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let (shell, location, integration) = load(&state, user, &location, &id).await?;
    let now = state.clock.now();
    let usage = usage::summarize(
        state.store.as_ref(),
        &state.usage,
        now,
        &location,
        &integration.id,
        USAGE_DAYS,
    )
    .await?;
    let trail = state
        .store
        .audit_log(&location, Some(&integration.id), 50)
        .await?;
    let done_by_it =
        attribution::recent_by_integrations(&state, &shell, std::slice::from_ref(&integration), 10)
            .await?;
    let flash = match done.done.as_deref() {
        Some("edited") => Some((
            Tone::Success,
            "Saved. The connected tool's access changed with its next request; its token is unchanged.",
        )),
        Some("unchanged") => Some((Tone::Info, "Nothing was changed.")),
        Some("old-token-expired") => Some((Tone::Success, "The old token has stopped working.")),
        Some("no-old-token") => Some((Tone::Info, "There is no old token in a grace period.")),
        _ => None,
    };
    let content = html! {
        div.page-head {
            div {
                h1 { (integration.name) }
                (status(&integration, &shell.zone, now))
            }
            (menu(&shell, &integration))
        }
        @if let Some((tone, text)) = flash { (notice(tone, html! { (text) })) }
        @if let Some(description) = &integration.description { p.lede.pre-line { (description) } }
        div.columns {
            (token_card(&shell, &integration, now, &state.config.rotation_grace))
            section.card aria-labelledby="scopes-title" {
                div.card-head {
                    h2 #scopes-title { "Scopes" }
                    a.link href=(path(&shell, &integration.id, "/edit")) { "Edit scopes" }
                }
                (scopes::granted(integration.scopes))
            }
        }
        (usage_card(&usage, &integration, &shell.zone, now))
        section.card aria-labelledby="did-title" {
            h2 #did-title { "What this integration did" }
            @if done_by_it.is_empty() {
                p.muted { "Nothing yet: the contacts, notes, tasks, opportunities and messages this integration creates or changes will be listed here." }
            } @else {
                p.muted { "What it created, changed or sent most recently (a record someone changed since is no longer listed):" }
                (attribution::feed(&shell, &done_by_it, now, false))
            }
        }
        (trail_card(&trail, &shell.zone, now))
    };
    let crumbs = [(integration.name.as_str(), path(&shell, &integration.id, ""))];
    Ok(shell.page(Section::Integrations, &integration.name, &crumbs, content))
}

/// The [⋮] menu: a `<details>` that works without JavaScript (app.js closes it on Escape or
/// an outside click).
fn menu(shell: &Shell, integration: &Integration) -> Markup {
    html! {
        details.menu.kebab {
            summary aria-label={ "More actions for " (integration.name) } title="More actions" {
                (icon("menu"))
            }
            ul.menu-list.menu-right {
                li { a href=(path(shell, &integration.id, "/edit")) { "Edit" } }
                li { a.danger href=(path(shell, &integration.id, "/delete")) { "Delete" } }
            }
        }
    }
}

fn token_card(
    shell: &Shell,
    integration: &Integration,
    now: Timestamp,
    grace: &std::time::Duration,
) -> Markup {
    html! {
        section.card aria-labelledby="token-title" {
            h2 #token-title { "Token" }
            dl.facts {
                dt { "Current token" }
                dd { code { "…" (integration.token_hint) } " issued " (shell.zone.when(integration.token_created_at, now)) }
                @if let Some(old) = &integration.previous_token {
                    dt { "Old token" }
                    dd {
                        code { "…" (old.token_hint) } " works until "
                        (shell.zone.date_time(old.expires_at)) " (" (format::relative(old.expires_at, now)) ")"
                    }
                }
                dt { "Created" }
                dd { (shell.zone.date_time(integration.created_at)) " by " (integration.created_by) }
            }
            @if integration.previous_token.is_some() {
                form.inline-form method="post" action=(path(shell, &integration.id, "/expire-old-token"))
                    data-confirm="Expire the old token now? Anything still using it stops working at once." {
                    (shell.csrf())
                    button.danger-outline type="submit" { "Expire the old token now" }
                }
            }
            h3 { "Rotate" }
            p.hint {
                "Rotating issues a fresh token with the same scopes. Later keeps the old token working for "
                (format::duration(*grace)) ", so the tool can be updated; now revokes it at once."
            }
            div.actions.left {
                a.button href={ (path(shell, &integration.id, "/rotate")) "?expire=later" } {
                    (icon("rotate")) "Rotate and expire this token later"
                }
                a.button.danger-outline href={ (path(shell, &integration.id, "/rotate")) "?expire=now" } {
                    "Rotate and expire this token now"
                }
            }
        }
    }
}

fn usage_card(
    usage: &UsageSummary,
    integration: &Integration,
    zone: &Zone,
    now: Timestamp,
) -> Markup {
    let unused: Vec<Scope> = integration
        .scopes
        .iter()
        .filter(|s| !usage.by_scope.contains_key(s.name()))
        .collect();
    html! {
        section.card aria-labelledby="usage-title" {
            h2 #usage-title { "Usage" }
            p {
                "Last used: "
                @match usage.last_used_at {
                    Some(at) => { strong { (zone.when(at, now)) } " (" (zone.date_time(at)) ")" },
                    None => strong { "never" },
                }
            }
            h3 { "Requests per day, last " (USAGE_DAYS) " days" }
            (usage::chart(usage))
            h3 { "Scopes used" }
            @if usage.by_scope.is_empty() {
                p.muted { "No requests in the last " (USAGE_DAYS) " days." }
            } @else {
                table.compact {
                    thead { tr { th scope="col" { "Scope" } th scope="col" { "What it allows" } th.num scope="col" { "Requests" } } }
                    tbody {
                        @for (name, count) in &usage.by_scope {
                            @let located = Scope::parse(name).and_then(scopes::locate);
                            tr {
                                td { code.scope-name { (name) } }
                                td {
                                    @if let Some((_, family, edit)) = located {
                                        (family.label) " · " @if edit { "Edit" } @else { "View" }
                                    } @else { span.muted { "Calls that need no scope" } }
                                }
                                td.num { (count) }
                            }
                        }
                    }
                }
            }
            @if !unused.is_empty() && usage.total() > 0 {
                p.hint {
                    "Granted but not used in the last " (USAGE_DAYS) " days: "
                    @for (i, scope) in unused.iter().enumerate() {
                        @if i > 0 { ", " }
                        code.scope-name { (scope.name()) }
                    }
                    ". If the tool does not need them, remove them."
                }
            }
        }
    }
}

fn action_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::IntegrationCreated => "Created",
        AuditAction::IntegrationUpdated => "Edited",
        AuditAction::TokenRotatedExpireLater => "Rotated, old token expires later",
        AuditAction::TokenRotatedExpireNow => "Rotated, old token revoked",
        AuditAction::OldTokenExpired => "Old token expired",
        AuditAction::IntegrationDeleted => "Deleted",
        AuditAction::BusinessProfileUpdated => "Business profile updated",
        AuditAction::RateLimitsUpdated => "Rate limits changed",
        AuditAction::MemberAdded => "Member added",
        AuditAction::MemberRoleChanged => "Member's role changed",
        AuditAction::MemberRemoved => "Member removed",
        AuditAction::SignInLinkUsed => "Sign-in link used",
    }
}

fn trail_card(trail: &[AuditEvent], zone: &Zone, now: Timestamp) -> Markup {
    html! {
        section.card aria-labelledby="trail-title" {
            h2 #trail-title { "Audit trail" }
            @if trail.is_empty() {
                p.muted { "No changes recorded yet." }
            } @else {
                table.compact.trail {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Details" } } }
                    tbody {
                        @for event in trail {
                            tr {
                                td data-label="When" { (zone.when(event.at, now)) }
                                td data-label="Who" {
                                    div {
                                        (event.actor)
                                        @if let Some(ip) = &event.ip { br; span.muted { "from " (ip) } }
                                    }
                                }
                                td data-label="What" { (action_label(event.action)) }
                                td data-label="Details" { (event.detail) }
                            }
                        }
                    }
                }
            }
        }
    }
}
