//! One pipeline's settings page: its name, and its stages in board order with their
//! opportunity counts. Each change is its own small form (rename, add a stage, rename one,
//! move one up or down), so every button works without JavaScript and lands back on the
//! stage it changed.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::pipelines::{self, PipelineEdit};
use ivorey_core::StageId;
use ivorey_core::opportunity::Pipeline;
use maud::{Markup, html};

use super::{Done, load};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::forms::{FormData, Input, Problems};
use crate::web::layout::{Tone, icon, notice};
use crate::web::shell::{Section, Shell};

const LABELS: &[(&str, &str)] = &[("name", "Pipeline name"), ("stageName", "Stage name")];

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let pipeline = load(&state, &shell, &id).await?;
    let done = done.done.as_deref().and_then(done_message);
    let (values, problems) = (FormData::default(), Problems::none());
    page(&state, &shell, &pipeline, done, &values, &problems).await
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "The pipeline was created. Add, rename or reorder its stages here.",
        "renamed" => "The pipeline was renamed.",
        "stage-added" => "The stage was added at the end.",
        "stage-renamed" => "The stage was renamed.",
        "stage-moved" => "The stage was moved.",
        "stage-deleted" => "The stage was deleted.",
        _ => return None,
    })
}

/// Every form of the page posts here with an `action`.
pub(crate) async fn post(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Pipelines).await?;
    let pipeline = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let stage = || StageId::parse(form.get("stage")).map_err(|_| bad_stage());
    let (edit, done) = match form.get("action") {
        "rename" => (PipelineEdit::Rename(form.get("name").into()), "renamed"),
        "add-stage" => (
            PipelineEdit::AddStage(form.get("stageName").into()),
            "stage-added",
        ),
        "rename-stage" => (
            PipelineEdit::RenameStage(stage()?, form.get("stageName").into()),
            "stage-renamed",
        ),
        "move-up" => (PipelineEdit::MoveStage(stage()?, true), "stage-moved"),
        "move-down" => (PipelineEdit::MoveStage(stage()?, false), "stage-moved"),
        _ => return Err(bad_stage()),
    };
    let now = state.clock.now();
    let by = shell.changer();
    let store = state.store.as_ref();
    match pipelines::edit_pipeline(store, now, &location, &pipeline.id, edit, &by).await {
        Ok(saved) => {
            // Back to the stage that changed (the last one when one was added).
            let anchor = match form.get("action") {
                "rename" => String::new(),
                "add-stage" => saved
                    .stages
                    .last()
                    .map(|s| format!("#stage-{}", s.id))
                    .unwrap_or_default(),
                _ => format!("#stage-{}", form.get("stage")),
            };
            let to = shell.url(&format!("/pipelines/{}?done={done}{anchor}", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let page = page(&state, &shell, &pipeline, None, form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn bad_stage() -> WebError {
    WebError::plain(
        StatusCode::BAD_REQUEST,
        "Form not accepted",
        "The form did not say which stage to change. Go back, reload the page and try again.",
    )
}

async fn page(
    state: &AppState,
    shell: &Shell,
    pipeline: &Pipeline,
    done: Option<&str>,
    values: &FormData,
    problems: &Problems,
) -> WebResult<Markup> {
    let totals = state
        .store
        .stage_totals(&shell.location, &pipeline.id, None)
        .await?;
    let count_of = |stage: &StageId| {
        totals
            .iter()
            .find(|t| &t.stage_id == stage)
            .map_or(0, |t| t.count)
    };
    let admin = shell.is_admin();
    let action = shell.url(&format!("/pipelines/{}", pipeline.id));
    let last = pipeline.stages.len().saturating_sub(1);
    // A refused form shows what was typed in it; every other form keeps the stored names.
    let typed_for = |stage: &StageId| {
        (values.get("action") == "rename-stage" && values.get("stage") == stage.as_str())
            .then(|| values.get("stageName"))
    };
    let name_value = match values.get("action") {
        "rename" => values.get("name"),
        _ => pipeline.name.as_str(),
    };
    let board = shell.at(&format!("/opportunities?pipeline={}", pipeline.id));
    let content = html! {
        div.page-head {
            h1 { (pipeline.name) }
            a.button href=(board) { (icon("board")) "Open the board" }
        }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        @if !admin {
            (notice(Tone::Info, html! { "Only admins of this business can change pipelines. You can view this one." }))
        }
        (problems.summary())
        @if admin {
            section.card aria-labelledby="name-title" {
                h2 #name-title { "Name" }
                form.inline-form method="post" action=(action) {
                    (shell.csrf())
                    input type="hidden" name="action" value="rename";
                    (Input { label: "Pipeline name", name: "name", value: name_value,
                        required: true, max_chars: Some(100), ..Default::default() }.render(problems))
                    button type="submit" { "Rename" }
                }
            }
        }
        section.card aria-labelledby="stages-title" {
            h2 #stages-title { "Stages" }
            p.hint { "In board order, left to right. New opportunities start in the first stage." }
            ol.stage-list {
                @for (n, stage) in pipeline.stages.iter().enumerate() {
                    @let count = count_of(&stage.id);
                    li.stage-item #{ "stage-" (stage.id) } {
                        span.stage-number aria-hidden="true" { (n + 1) }
                        @if admin {
                            form.stage-rename method="post" action=(action) {
                                (shell.csrf())
                                input type="hidden" name="action" value="rename-stage";
                                input type="hidden" name="stage" value=(stage.id);
                                label.visually-hidden for={ "name-" (stage.id) } { "Name of stage " (n + 1) }
                                input #{ "name-" (stage.id) } type="text" name="stageName"
                                    value=(typed_for(&stage.id).unwrap_or(&stage.name))
                                    required maxlength="100";
                                button.small type="submit" { "Rename" }
                            }
                        } @else {
                            strong.stage-name { (stage.name) }
                        }
                        span.muted.stage-count { (count) @if count == 1 { " opportunity" } @else { " opportunities" } }
                        @if admin {
                            span.stage-actions {
                                (move_button(shell, &action, stage, "move-up", n == 0))
                                (move_button(shell, &action, stage, "move-down", n == last))
                                @if pipeline.stages.len() > 1 {
                                    a.button.small.danger-outline
                                        href=(shell.url(&format!("/pipelines/{}/stages/{}/delete", pipeline.id, stage.id))) {
                                        "Delete" span.visually-hidden { " stage " (stage.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if admin {
                form.inline-form #add-stage method="post" action=(action) {
                    (shell.csrf())
                    input type="hidden" name="action" value="add-stage";
                    (Input { label: "New stage", name: "stageName",
                        value: if values.get("action") == "add-stage" { values.get("stageName") } else { "" },
                        required: true, max_chars: Some(100),
                        placeholder: Some("For example Negotiation"), ..Default::default() }.render(problems))
                    button type="submit" { (icon("plus")) "Add stage" }
                }
            }
        }
        @if admin {
            section.card.danger-card aria-labelledby="delete-title" {
                h2 #delete-title { "Delete this pipeline" }
                p { "Only a pipeline without opportunities can be deleted." }
                a.button.danger-outline href=(shell.url(&format!("/pipelines/{}/delete", pipeline.id))) { "Delete pipeline" }
            }
        }
    };
    let crumbs = [(pipeline.name.as_str(), action.clone())];
    Ok(shell.page(Section::Pipelines, &pipeline.name, &crumbs, content))
}

/// "Move up" / "Move down": disabled at the end it cannot pass, so keyboard users hear why.
fn move_button(
    shell: &Shell,
    action: &str,
    stage: &ivorey_core::opportunity::Stage,
    which: &str,
    at_end: bool,
) -> Markup {
    let (label, arrow) = match which {
        "move-up" => ("Move earlier", "arrow-up"),
        _ => ("Move later", "arrow-down"),
    };
    html! {
        form.inline method="post" action=(action) {
            (shell.csrf())
            input type="hidden" name="action" value=(which);
            input type="hidden" name="stage" value=(stage.id);
            button.small type="submit" disabled[at_end] title=(label) {
                (icon(arrow)) span.visually-hidden { (label) ": " (stage.name) }
            }
        }
    }
}
