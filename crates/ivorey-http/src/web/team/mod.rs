//! Settings > Team (admins only): the members table with each one's role, the form that adds
//! someone, and the role change. Adding answers with the page that shows the one-time sign-in
//! link (`added.rs`); removing goes through a confirmation page (`remove.rs`); the link's own
//! page, where the new user sets a password, is `invite.rs`.

mod added;
pub(crate) mod invite;
pub(crate) mod remove;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::team::{self, Invite, NewMember};
use ivorey_core::user::Role;
use ivorey_store::team::Member;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{Posted, Viewer};
use super::error::WebResult;
use super::forms::{Input, Problems};
use super::layout::{Tone, icon, notice};
use super::shell::{Section, Shell};
use crate::base_url::public_base;
use crate::state::AppState;

const LABELS: &[(&str, &str)] = &[("name", "Name"), ("email", "Email"), ("role", "Role")];

#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

/// The member's path under the Team page, e.g. `member_url(shell, id, "/remove")`.
fn member_url(shell: &Shell, member: &Member, rest: &str) -> String {
    shell.url(&format!("/team/{}{rest}", member.user.id))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let location = shell.admin_for(&state, Section::Team).await?;
    let members = team::members(state.store.as_ref(), &location).await?;
    let done = match done.done.as_deref() {
        Some("role") => Some("The role was changed. It applies from their next click."),
        Some("removed") => Some(
            "The member was removed. They were signed out everywhere and can no longer open \
             this business.",
        ),
        _ => None,
    };
    let page = TeamPage {
        members: &members,
        done,
        draft: &NewMember::default(),
        problems: &Problems::none(),
    };
    Ok(page.render(&shell, state.clock.now()))
}

/// Adds a member and answers with the page that shows their sign-in link (201).
pub(crate) async fn add(
    State(state): State<AppState>,
    Path(location): Path<String>,
    headers: HeaderMap,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Team).await?;
    let input = NewMember {
        name: posted.form.get("name").to_owned(),
        email: posted.form.get("email").to_owned(),
        role: posted.form.get("role").to_owned(),
    };
    let base = public_base(&state, &headers);
    let now = state.clock.now();
    let actor = shell.user.actor();
    let store = state.store.as_ref();
    let invite = Invite::EmailIfConfigured;
    match team::add_member(store, now, &location, &input, &base, invite, &actor).await {
        Ok(added) => Ok((StatusCode::CREATED, added::page(&shell, &added, now)).into_response()),
        Err(e) => {
            let status = match &e {
                ivorey_app::AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let problems = Problems::from_error(e, LABELS)?;
            let members = team::members(store, &location).await?;
            let page = TeamPage {
                members: &members,
                done: None,
                draft: &input,
                problems: &problems,
            };
            Ok((status, page.render(&shell, now)).into_response())
        }
    }
}

/// A row's [Save role]; refused (409, nothing changed) for the last admin.
pub(crate) async fn change_role(
    State(state): State<AppState>,
    Path((location, user)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Team).await?;
    let now = state.clock.now();
    let actor = shell.user.actor();
    let store = state.store.as_ref();
    let role = posted.form.get("role");
    match team::change_role(store, now, &location, &user, role, &actor).await {
        Ok(_) => Ok(Redirect::to(&shell.url("/team?done=role")).into_response()),
        Err(e) => refused(&state, &shell, e).await,
    }
}

/// The Team page again, with why a change was refused (409 or 422); other errors are pages.
async fn refused(state: &AppState, shell: &Shell, e: ivorey_app::AppError) -> WebResult<Response> {
    let status = match &e {
        ivorey_app::AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let problems = Problems::from_error(e, &[])?;
    let members = team::members(state.store.as_ref(), &shell.location).await?;
    let page = TeamPage {
        members: &members,
        done: None,
        draft: &NewMember::default(),
        problems: &problems,
    };
    Ok((status, page.render(shell, state.clock.now())).into_response())
}

/// The Team page: members, then the add form.
struct TeamPage<'a> {
    members: &'a [Member],
    done: Option<&'a str>,
    draft: &'a NewMember,
    problems: &'a Problems,
}

impl TeamPage<'_> {
    fn render(&self, shell: &Shell, now: ivorey_core::Timestamp) -> Markup {
        let alone = self.members.len() <= 1;
        let content = html! {
            div.page-head { h1 { "Team" } }
            @if let Some(done) = self.done { (notice(Tone::Success, html! { (done) })) }
            p.lede {
                "Everyone who can sign in to " strong { (shell.location_name) } ". Admins also \
                 manage the team, messaging and Private Integrations; users work with contacts, \
                 conversations and the dashboard."
            }
            (self.problems.summary())
            div.card.table-card {
                table.list.team {
                    caption.visually-hidden { "Members of " (shell.location_name) }
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Email" }
                            th scope="col" { "Role" }
                            th scope="col" { "Added" }
                            th scope="col" { span.visually-hidden { "Actions" } }
                        }
                    }
                    tbody {
                        @for member in self.members { (row(shell, member, now)) }
                    }
                }
            }
            @if alone {
                (notice(Tone::Info, html! {
                    "You are the only member. Add the people who work with you below; each gets \
                     their own sign-in, so you never share a password."
                }))
            }
            (add_form(shell, self.draft, self.problems))
        };
        shell.page(Section::Team, "Team", &[], content)
    }
}

fn row(shell: &Shell, member: &Member, now: ivorey_core::Timestamp) -> Markup {
    let you = member.user.id == shell.user.user.id;
    let select_id = format!("role-{}", member.user.id);
    let remove_link = format!("remove-{}", member.user.id);
    html! {
        tr {
            td data-label="Name" {
                (member.user.name)
                @if you { " " span.badge { "You" } }
                @if member.invited { " " span.badge.badge-warn { "Has not signed in yet" } }
            }
            td data-label="Email" { (member.user.email) }
            td data-label="Role" {
                form.inline-form method="post" action=(member_url(shell, member, "/role")) {
                    (shell.csrf())
                    label.visually-hidden for=(select_id) { "Role of " (member.user.name) }
                    select id=(select_id) name="role" {
                        option value="user" selected[member.role == Role::User] { "User" }
                        option value="admin" selected[member.role == Role::Admin] { "Admin" }
                    }
                    button.small type="submit" { "Save role"
                        span.visually-hidden { " of " (member.user.name) } }
                }
            }
            td data-label="Added" { (shell.zone.when(member.added_at, now)) }
            td data-label="Actions" {
                a.button.small.danger-outline id=(remove_link) href=(member_url(shell, member, "/remove")) {
                    "Remove" span.visually-hidden { " " (member.user.name) }
                }
                // With JavaScript this form replaces the link: a dialog asks, then it posts.
                form.inline-form method="post" action=(member_url(shell, member, "/remove"))
                    data-confirm={ "Remove " (member.user.name) " from " (shell.location_name)
                        "? They are signed out at once." }
                    data-replaces=(remove_link) hidden {
                    (shell.csrf())
                    input type="hidden" name="confirmed" value="yes";
                    button.small.danger type="submit" { "Remove"
                        span.visually-hidden { " " (member.user.name) } }
                }
            }
        }
    }
}

fn add_form(shell: &Shell, draft: &NewMember, problems: &Problems) -> Markup {
    let role_error = problems.field("role");
    html! {
        section.card aria-labelledby="add-title" {
            h2 #add-title { "Add a member" }
            p.hint {
                "They get a one-time sign-in link to choose their password: by email when this \
                 business has an email (SMTP) server in Messaging, otherwise shown to you once to \
                 hand over. The link works for 7 days. Someone who already has an Ivorey account \
                 just joins and signs in with their own password."
            }
            form method="post" action=(shell.url("/team")) {
                (shell.csrf())
                div.grid {
                    (Input { label: "Name", name: "name", value: &draft.name, required: true,
                        max_chars: Some(100), autocomplete: Some("off"), ..Default::default() }
                        .render(problems))
                    (Input { label: "Email", name: "email", value: &draft.email, kind: "email",
                        required: true, autocomplete: Some("off"), max_chars: Some(254),
                        ..Default::default() }.render(problems))
                    div.field.field-invalid[role_error.is_some()] {
                        label for="f-role" { "Role" }
                        select #f-role name="role" aria-describedby="f-role-hint" {
                            option value="user" selected[draft.role != "admin"] { "User" }
                            option value="admin" selected[draft.role == "admin"] { "Admin" }
                        }
                        p.hint #f-role-hint { "Admins can also manage the team, messaging and integrations." }
                        @if let Some(error) = role_error { p.error { (error) } }
                    }
                }
                div.actions { button.primary type="submit" { (icon("plus")) "Add member" } }
            }
        }
    }
}
