//! The opportunities list: the public search's filters (pipeline, stage, status, assigned
//! user, words of the name) as a form, a page of 25 in the order they were created, newest
//! last as the API pages them, and numbered pages.

use axum::extract::{Path, Query, State};
use ivorey_core::contact::ContactFields;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::user::User;
use ivorey_core::{ContactId, StageId};
use ivorey_store::{OpportunityPage, OpportunityQuery};
use maud::{Markup, html};
use serde::Deserialize;

use super::{STATUSES, chosen, money, status_badge, team, user_name};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::frame::Area;
use crate::web::layout::icon;
use crate::web::shell::Shell;

const PAGE_SIZE: u32 = 25;
/// Deeper pages cost an offset scan; past this the owner is better served by the filters.
const PAGES_MAX: u64 = 400;
const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListParams {
    #[serde(default)]
    pipeline: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    assigned: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

impl ListParams {
    fn status(&self) -> Option<OpportunityStatus> {
        OpportunityStatus::parse(&self.status)
    }

    fn page(&self) -> u64 {
        self.page.parse().unwrap_or(1).clamp(1, PAGES_MAX)
    }

    fn query(&self) -> Option<String> {
        let q = self.q.trim();
        let usable = !q.is_empty()
            && q.chars().count() <= QUERY_MAX_CHARS
            && !q.chars().any(char::is_control);
        usable.then(|| q.to_owned())
    }

    fn link(&self, pipeline: &Pipeline, page: u64) -> String {
        let pairs = [
            ("pipeline", pipeline.id.as_str()),
            ("stage", self.stage.as_str()),
            ("status", self.status.as_str()),
            ("assigned", self.assigned.as_str()),
            ("q", self.q.trim()),
        ];
        let page = page.to_string();
        let mut kept: Vec<(&str, &str)> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        kept.push(("page", &page));
        format!(
            "?{}",
            serde_urlencoded::to_string(&kept).unwrap_or_default()
        )
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<ListParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let pipelines = state.store.list_pipelines(&shell.location).await?;
    let Some(pipeline) = chosen(&pipelines, &params.pipeline) else {
        let to = shell.at("/opportunities");
        let content = html! {
            div.page-head { h1 { "Opportunities" } }
            div.card.empty { p { "No pipeline yet. " a href=(to) { "Go to the board" } " to set one up." } }
        };
        return Ok(shell.app_page(Area::Opportunities, "Opportunities", content));
    };
    let stage = StageId::parse(&params.stage)
        .ok()
        .filter(|s| pipeline.stage(s).is_some());
    let assigned = Some(params.assigned.clone()).filter(|a| !a.is_empty());
    // Without a name or assignee filter the count is the stage totals' (a few rows), not a
    // scan of every matching deal.
    let known_total = match (&assigned, params.query()) {
        (None, None) => {
            let totals = state
                .store
                .stage_totals(&shell.location, &pipeline.id, params.status())
                .await?;
            let in_stage =
                |t: &&ivorey_store::StageTotal| stage.as_ref().is_none_or(|s| &t.stage_id == s);
            Some(totals.iter().filter(in_stage).map(|t| t.count).sum::<u64>())
        }
        _ => None,
    };
    let query = OpportunityQuery {
        pipeline_id: Some(pipeline.id.clone()),
        stage_id: stage,
        status: params.status(),
        assigned_to: assigned,
        query: params.query(),
        after: None,
        offset: (params.page() - 1) * u64::from(PAGE_SIZE),
        limit: PAGE_SIZE,
        skip_total: known_total.is_some(),
        ..OpportunityQuery::default()
    };
    let mut found = state
        .store
        .search_opportunities(&shell.location, &query)
        .await?;
    if let Some(total) = known_total {
        found.total = total;
    }
    let mut contacts = Vec::new();
    for o in &found.opportunities {
        contacts.push(contact_name(&state, &shell, &o.contact_id).await?);
    }
    let team = team(&state, &shell).await?;
    let content = page(
        &shell, &pipelines, pipeline, &params, &found, &contacts, &team,
    );
    Ok(shell.app_page(Area::Opportunities, "Opportunities", content))
}

async fn contact_name(state: &AppState, shell: &Shell, id: &ContactId) -> WebResult<String> {
    let found = state.store.get_contact(&shell.location, id).await?;
    Ok(found.map_or_else(
        || ContactFields::default().display_name(),
        |c| c.fields.display_name(),
    ))
}

fn page(
    shell: &Shell,
    pipelines: &[Pipeline],
    pipeline: &Pipeline,
    params: &ListParams,
    found: &OpportunityPage,
    contacts: &[String],
    team: &[User],
) -> Markup {
    let page = params.page();
    let pages = found
        .total
        .div_ceil(u64::from(PAGE_SIZE))
        .clamp(1, PAGES_MAX);
    let board = shell.at(&format!("/opportunities?pipeline={}", pipeline.id));
    html! {
        div.page-head {
            h1 { "Opportunities" }
            div.head-actions {
                a.button href=(board) { (icon("board")) "Board view" }
                a.button.primary href=(shell.at(&format!("/opportunities/new?pipeline={}", pipeline.id))) { (icon("plus")) "New opportunity" }
            }
        }
        form.card.filter-bar method="get" action=(shell.at("/opportunities/list")) role="search" {
            div.field {
                label for="f-pipeline" { "Pipeline" }
                select #f-pipeline name="pipeline" {
                    @for p in pipelines { option value=(p.id) selected[p.id == pipeline.id] { (p.name) } }
                }
            }
            div.field {
                label for="f-stage" { "Stage" }
                select #f-stage name="stage" {
                    option value="" { "Any stage" }
                    @for s in &pipeline.stages { option value=(s.id) selected[s.id.as_str() == params.stage] { (s.name) } }
                }
            }
            div.field {
                label for="f-status" { "Status" }
                select #f-status name="status" {
                    option value="" { "Any status" }
                    @for (s, label) in STATUSES { option value=(s.as_str()) selected[s.as_str() == params.status] { (label) } }
                }
            }
            div.field {
                label for="f-assigned" { "Assigned to" }
                select #f-assigned name="assigned" {
                    option value="" { "Anyone" }
                    @for u in team { option value=(u.id) selected[u.id.as_str() == params.assigned] { (user_name(team, u.id.as_str()).unwrap_or_default()) } }
                }
            }
            div.field {
                label for="f-q" { "Name contains" }
                input #f-q type="search" name="q" value=(params.q) maxlength="200";
            }
            button.primary type="submit" { (icon("search")) "Filter" }
        }
        @if found.opportunities.is_empty() {
            div.card.empty {
                h2 { "No opportunities match" }
                p { "Try another stage or status, or clear the filters." }
                a.button href=(shell.at(&format!("/opportunities/list?pipeline={}", pipeline.id))) { "Clear the filters" }
            }
        } @else {
            section.card.table-card aria-labelledby="list-title" {
                h2.visually-hidden #list-title { "Matching opportunities" }
                p.muted { (format::number(found.total)) " matching" }
                div.table-scroll {
                    table.list {
                        thead { tr {
                            th scope="col" { "Opportunity" } th scope="col" { "Contact" }
                            th scope="col" { "Stage" } th scope="col" .num { "Value" }
                            th scope="col" { "Status" } th scope="col" { "Assigned to" }
                            th scope="col" { "Last changed" }
                        } }
                        tbody {
                            @for (o, contact) in found.opportunities.iter().zip(contacts) {
                                (row(shell, pipeline, o, contact, team))
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label="Pages" {
                    @if page > 1 { a.button href=(params.link(pipeline, page - 1)) rel="prev" { "Previous" } }
                    span.muted { "Page " (page) " of " (format::number(pages)) }
                    @if page < pages { a.button href=(params.link(pipeline, page + 1)) rel="next" { "Next" } }
                }
            }
        }
    }
}

fn row(
    shell: &Shell,
    pipeline: &Pipeline,
    o: &Opportunity,
    contact: &str,
    team: &[User],
) -> Markup {
    let stage = pipeline.stage(&o.stage_id).map_or("", |s| s.name.as_str());
    html! {
        tr {
            td { a.row-link href=(shell.at(&format!("/opportunities/{}", o.id))) { (o.name) } }
            td { a href=(shell.at(&format!("/contacts/{}", o.contact_id))) { (contact) } }
            td { (stage) }
            td.num { (money(o.monetary_value.minor())) }
            td { (status_badge(o.status)) }
            td { (o.assigned_to.as_deref().and_then(|id| user_name(team, id)).unwrap_or("—")) }
            td.muted { (shell.zone.date_time(o.updated_at)) }
        }
    }
}
