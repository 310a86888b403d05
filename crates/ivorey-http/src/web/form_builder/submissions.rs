//! A form's submissions, newest first, 25 a page: when, who (a link to the contact each found
//! or added) and what they answered.

use axum::extract::{Path, Query, State};
use ivorey_store::SubmissionQuery;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::load;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::frame::Area;
use crate::web::shell::Shell;

const PAGE_SIZE: u32 = 25;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Params {
    #[serde(default)]
    page: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<Params>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let form = load(&state, &shell, &id).await?;
    let page: u64 = params.page.parse().unwrap_or(1).clamp(1, 10_000);
    let query = SubmissionQuery {
        form_id: Some(form.id.clone()),
        from: None,
        until: None,
        query: None,
        offset: (page - 1) * u64::from(PAGE_SIZE),
        limit: PAGE_SIZE,
    };
    let found = state
        .store
        .list_submissions(&shell.location, &query)
        .await?;
    let pages = found.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let now = state.clock.now();
    let link = |p: u64| shell.at(&format!("/forms/{}/submissions?page={p}", form.id));
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/forms")) { "Forms" } }
                li { a href=(shell.at(&format!("/forms/{}", form.id))) { (form.name) } }
            }
        }
        div.page-head { h1 { "Submissions to " (form.name) } }
        @if found.submissions.is_empty() {
            div.card.empty {
                h2 { "No submissions yet" }
                p { "Share the form's link or embed it on your website; what visitors send appears here, each with its contact." }
                a.button href=(shell.at(&format!("/forms/{}#share-title", form.id))) { "Share the form" }
            }
        } @else {
            section.card.table-card {
                p.muted { (format::count_of(found.total, "submission")) }
                div.table-scroll {
                    table.list {
                        thead { tr { th scope="col" { "Sent" } th scope="col" { "Contact" } th scope="col" { "Answers" } } }
                        tbody {
                            @for s in &found.submissions {
                                tr {
                                    td.muted { (shell.zone.when(s.created_at, now)) }
                                    td { a href=(shell.at(&format!("/contacts/{}", s.contact_id))) {
                                        (s.name.clone().or_else(|| s.email.clone()).unwrap_or_else(|| "A contact".into()))
                                    } }
                                    td {
                                        dl.facts {
                                            @for f in &form.fields {
                                                @if let Some(v) = s.values.get(&f.key) {
                                                    dt { (f.label) } dd.pre-line { (answer(v)) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label="Pages" {
                    @if page > 1 { a.button href=(link(page - 1)) rel="prev" { "Newer" } }
                    span.muted { "Page " (page) " of " (format::number(pages)) }
                    @if page < pages { a.button href=(link(page + 1)) rel="next" { "Older" } }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Forms, "Submissions", content))
}

fn answer(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
