//! [Remove]: a confirmation page that names the member and says what happens, then the removal
//! itself, which signs them out everywhere at once. A post without `confirmed=yes` only shows
//! the confirmation page, so nothing is removed by a form that skipped it.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::team;
use ivorey_store::team::Member;
use maud::{Markup, html};

use super::{member_url, refused};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::shell::{Section, Shell};

pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path((location, user)): Path<(String, String)>,
    Viewer(viewer): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, viewer, &location).await?;
    let location = shell.admin_for(&state, Section::Team).await?;
    let member = team::member(state.store.as_ref(), &location, &user).await?;
    Ok(confirm_page(&shell, &member))
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    Path((location, user)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Team).await?;
    let store = state.store.as_ref();
    if posted.form.get("confirmed") != "yes" {
        let member = team::member(store, &location, &user).await?;
        return Ok(confirm_page(&shell, &member).into_response());
    }
    let now = state.clock.now();
    let actor = shell.user.actor();
    match team::remove_member(store, now, &location, &user, &actor).await {
        Ok(removed) if removed.member.user.id == shell.user.user.id => {
            // They removed themselves: this business is no longer theirs to open.
            Ok(Redirect::to("/dashboard").into_response())
        }
        Ok(_) => Ok(Redirect::to(&shell.url("/team?done=removed")).into_response()),
        Err(e) => refused(&state, &shell, e).await,
    }
}

fn confirm_page(shell: &Shell, member: &Member) -> Markup {
    let name = &member.user.name;
    let content = html! {
        div.page-head { h1 { "Remove " q { (name) } "?" } }
        section.card.danger-card aria-labelledby="confirm-title" {
            h2 #confirm-title { "They lose access at once" }
            p {
                "Removing " strong { (name) } " (" (member.user.email) ") from "
                strong { (shell.location_name) } " signs them out on every device right away. "
                "Their account stays: they can still sign in to any other business they belong \
                 to, and an admin can add them here again later."
            }
            form method="post" action=(member_url(shell, member, "/remove")) {
                (shell.csrf())
                input type="hidden" name="confirmed" value="yes";
                div.actions {
                    a.button href=(shell.url("/team")) { "Cancel" }
                    button.danger type="submit" { "Remove " q { (name) } }
                }
            }
        }
    };
    let crumbs = [(name.as_str(), shell.url("/team"))];
    shell.page(Section::Team, "Remove member", &crumbs, content)
}
