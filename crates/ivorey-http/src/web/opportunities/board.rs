//! The board: one pipeline, a column per stage with its count and value, and the stage's
//! newest arrivals as cards (a column shows `CARDS_SHOWN`, and links to the full list of its
//! stage). Each card has a small form to move it to another stage; `app.js` adds dragging a
//! card onto a column, which posts the same form.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::opportunities;
use ivorey_core::StageId;
use ivorey_core::opportunity::{OpportunityChange, OpportunityStatus, Pipeline};
use ivorey_core::user::User;
use ivorey_store::{BoardCard, BoardQuery, StageTotal};
use maud::{Markup, html};
use serde::Deserialize;

use super::{STATUSES, chosen, load, money, status_badge, team, user_name};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::format;
use crate::web::frame::Area;
use crate::web::layout::{Tone, icon, notice};
use crate::web::shell::Shell;

/// Cards per column: enough to work the top of each stage, few enough for 100,000 deals.
const CARDS_SHOWN: u32 = 25;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BoardParams {
    #[serde(default)]
    pipeline: String,
    /// `open` (the default), `won`, `lost`, `abandoned` or `all`.
    #[serde(default)]
    status: String,
    #[serde(default)]
    done: String,
}

impl BoardParams {
    fn status(&self) -> Option<OpportunityStatus> {
        match self.status.as_str() {
            "all" => None,
            s => Some(OpportunityStatus::parse(s).unwrap_or(OpportunityStatus::Open)),
        }
    }

    fn status_value(&self) -> &'static str {
        self.status().map_or("all", OpportunityStatus::as_str)
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<BoardParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let pipelines = state.store.list_pipelines(&shell.location).await?;
    let Some(pipeline) = chosen(&pipelines, &params.pipeline) else {
        return Ok(no_pipeline_page(&shell));
    };
    let status = params.status();
    let store = state.store.as_ref();
    let totals = store
        .stage_totals(&shell.location, &pipeline.id, status)
        .await?;
    let mut columns = Vec::with_capacity(pipeline.stages.len());
    for stage in &pipeline.stages {
        let query = BoardQuery {
            pipeline_id: pipeline.id.clone(),
            stage_id: stage.id.clone(),
            status,
            after: None,
            limit: CARDS_SHOWN,
        };
        columns.push(store.board_column(&shell.location, &query).await?);
    }
    let team = team(&state, &shell).await?;
    let content = board(
        &shell, &pipelines, pipeline, &params, &totals, &columns, &team,
    );
    Ok(shell.app_page(Area::Opportunities, "Opportunities", content))
}

/// The Opportunities page of a location without a pipeline.
pub(crate) fn no_pipeline_page(shell: &Shell) -> Markup {
    shell.app_page(Area::Opportunities, "Opportunities", no_pipeline(shell))
}

fn no_pipeline(shell: &Shell) -> Markup {
    html! {
        div.page-head { h1 { "Opportunities" } }
        div.card.empty {
            span.empty-icon { (icon("board")) }
            h2 { "No pipeline yet" }
            p { "Opportunities sit in the stages of a pipeline. Create one in Settings > Pipelines, and its board appears here." }
            a.button.primary href=(shell.url("/pipelines")) { "Set up a pipeline" }
        }
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "moved" => "The opportunity was moved.",
        "deleted" => "The opportunity was deleted.",
        _ => return None,
    })
}

fn board(
    shell: &Shell,
    pipelines: &[Pipeline],
    pipeline: &Pipeline,
    params: &BoardParams,
    totals: &[StageTotal],
    columns: &[Vec<BoardCard>],
    team: &[User],
) -> Markup {
    let status = params.status_value();
    let total_of = |stage: &StageId| totals.iter().find(|t| &t.stage_id == stage);
    let all_count: u64 = totals.iter().map(|t| t.count).sum();
    let all_value: i64 = totals.iter().map(|t| t.value_minor).sum();
    let new_link = shell.at(&format!("/opportunities/new?pipeline={}", pipeline.id));
    let list_link = shell.at(&format!(
        "/opportunities/list?pipeline={}&status={status}",
        pipeline.id
    ));
    html! {
        div.page-head {
            h1 { "Opportunities" }
            div.head-actions {
                a.button href=(list_link) { "List view" }
                a.button.primary href=(new_link) { (icon("plus")) "New opportunity" }
            }
        }
        @if let Some(done) = done_message(&params.done) { (notice(Tone::Success, html! { (done) })) }
        form.card.filter-bar method="get" action=(shell.at("/opportunities")) {
            div.field {
                label for="f-pipeline" { "Pipeline" }
                select #f-pipeline name="pipeline" {
                    @for p in pipelines {
                        option value=(p.id) selected[p.id == pipeline.id] { (p.name) }
                    }
                }
            }
            div.field {
                label for="f-status" { "Status" }
                select #f-status name="status" {
                    @for (s, label) in STATUSES {
                        option value=(s.as_str()) selected[status == s.as_str()] { (label) }
                    }
                    option value="all" selected[status == "all"] { "All statuses" }
                }
            }
            button type="submit" { "Show" }
            p.muted.board-sum {
                strong { (format::number(all_count)) }
                @if all_count == 1 { " opportunity" } @else { " opportunities" }
                " · " strong { (money(all_value)) } " in value"
            }
        }
        div.board role="region" aria-label={ "Board of " (pipeline.name) } tabindex="0" {
            @for (stage, cards) in pipeline.stages.iter().zip(columns) {
                @let total = total_of(&stage.id);
                @let count = total.map_or(0, |t| t.count);
                section.board-column aria-labelledby={ "col-" (stage.id) } data-stage=(stage.id) {
                    header.board-head {
                        h2 #{ "col-" (stage.id) } { (stage.name) }
                        p.muted {
                            (format::number(count)) " · " (money(total.map_or(0, |t| t.value_minor)))
                        }
                    }
                    @if cards.is_empty() {
                        p.board-empty.muted { "Nothing here yet." }
                    }
                    ol.board-cards {
                        @for card in cards { (card_item(shell, pipeline, card, team, status)) }
                    }
                    @if count > cards.len() as u64 {
                        a.board-more href=(shell.at(&format!("/opportunities/list?pipeline={}&stage={}&status={status}", pipeline.id, stage.id))) {
                            "See all " (format::number(count)) " in " (stage.name)
                        }
                    }
                }
            }
        }
    }
}

fn card_item(
    shell: &Shell,
    pipeline: &Pipeline,
    card: &BoardCard,
    team: &[User],
    status: &str,
) -> Markup {
    let o = &card.opportunity;
    let href = shell.at(&format!("/opportunities/{}", o.id));
    let select_id = format!("move-{}", o.id);
    html! {
        li.board-card #{ "card-" (o.id) } data-card=(o.id) {
            a.board-card-name href=(href) { (o.name) }
            p.board-card-contact { (card.contact_name) }
            p.board-card-facts {
                strong { (money(o.monetary_value.minor())) }
                @if o.status != OpportunityStatus::Open { " " (status_badge(o.status)) }
                @if let Some(user) = o.assigned_to.as_deref().and_then(|id| user_name(team, id)) {
                    span.muted { " · " (user) }
                }
            }
            form.board-move method="post" action=(shell.at(&format!("/opportunities/{}/move", o.id))) {
                (shell.csrf())
                input type="hidden" name="status" value=(status);
                label.visually-hidden for=(select_id) { "Stage of " (o.name) }
                select id=(select_id) name="stage" {
                    @for s in &pipeline.stages {
                        option value=(s.id) selected[s.id == o.stage_id] { (s.name) }
                    }
                }
                button.small type="submit" { "Move" span.visually-hidden { " " (o.name) } }
            }
        }
    }
}

/// A card's move form (or a drop): to the stage chosen, back to the same board.
pub(crate) async fn move_card(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let current = load(&state, &shell, &id).await?;
    let pipeline = current.pipeline_id.clone();
    let stage = StageId::parse(posted.form.get("stage")).map_err(|_| {
        WebError::plain(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The opportunity was not moved",
            "Choose a stage of its pipeline to move it to. Go back and try again.",
        )
    })?;
    // A stage the pipeline lacks is refused by the service, which names the field.
    let change = OpportunityChange {
        stage_id: Some(stage),
        ..OpportunityChange::default()
    };
    let now = state.clock.now();
    let store = state.store.as_ref();
    let moved = opportunities::update(store, now, current, change, &shell.changer()).await?;
    let status = match posted.form.get("status") {
        s @ ("all" | "open" | "won" | "lost" | "abandoned") => s,
        _ => "open",
    };
    let to = shell.at(&format!(
        "/opportunities?pipeline={pipeline}&status={status}&done=moved#card-{}",
        moved.id
    ));
    Ok(Redirect::to(&to).into_response())
}
