//! Deleting a stage (its opportunities are moved to another stage of the pipeline first, in the
//! same transaction) and deleting a pipeline (only one without opportunities). Each asks on a
//! page of its own before it happens.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::AppError;
use ivorey_app::pipelines::{self, PipelineEdit};
use ivorey_core::StageId;
use ivorey_core::opportunity::{Pipeline, Stage};
use maud::{Markup, html};

use super::load;
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::forms::Problems;
use crate::web::layout::{Tone, notice};
use crate::web::shell::{Section, Shell};

fn stage_of<'a>(pipeline: &'a Pipeline, raw: &str) -> WebResult<&'a Stage> {
    StageId::parse(raw)
        .ok()
        .and_then(|id| pipeline.stages.iter().find(|s| s.id == id))
        .ok_or_else(|| {
            WebError::plain(
                StatusCode::NOT_FOUND,
                "Stage not found",
                "This stage is not in the pipeline any more. It may have been deleted.",
            )
        })
}

pub(crate) async fn confirm_stage(
    State(state): State<AppState>,
    Path((location, id, stage)): Path<(String, String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    shell.admin_for(&state, Section::Pipelines).await?;
    let pipeline = load(&state, &shell, &id).await?;
    let stage = stage_of(&pipeline, &stage)?;
    stage_page(&state, &shell, &pipeline, stage, &Problems::none()).await
}

async fn stage_page(
    state: &AppState,
    shell: &Shell,
    pipeline: &Pipeline,
    stage: &Stage,
    problems: &Problems,
) -> WebResult<Markup> {
    let count = state
        .store
        .stage_totals(&shell.location, &pipeline.id, None)
        .await?
        .into_iter()
        .find(|t| t.stage_id == stage.id)
        .map_or(0, |t| t.count);
    let back = shell.url(&format!("/pipelines/{}", pipeline.id));
    let others: Vec<&Stage> = pipeline
        .stages
        .iter()
        .filter(|s| s.id != stage.id)
        .collect();
    let content = html! {
        div.page-head { h1 { "Delete the stage " q { (stage.name) } "?" } }
        (problems.summary())
        section.card.danger-card {
            form method="post" action=(shell.url(&format!("/pipelines/{}/stages/{}/delete", pipeline.id, stage.id))) {
                (shell.csrf())
                @if count == 0 {
                    p { "No opportunity is in this stage. Deleting it removes its column from the board." }
                } @else {
                    (notice(Tone::Warning, html! {
                        p { strong { (count) } @if count == 1 { " opportunity is" } @else { " opportunities are" }
                            " in this stage. They move to the stage you choose, and keep everything else." }
                    }))
                    div.field {
                        label for="f-moveTo" { "Move them to" }
                        select #f-moveTo name="moveTo" required {
                            @for s in &others { option value=(s.id) { (s.name) } }
                        }
                    }
                }
                div.actions.reverse {
                    button.danger type="submit" {
                        @if count == 0 { "Delete stage" } @else { "Move and delete stage" }
                    }
                    a.button href=(back) { "Cancel" }
                }
            }
        }
    };
    let crumbs = [(pipeline.name.as_str(), back.clone())];
    Ok(shell.page(Section::Pipelines, "Delete stage", &crumbs, content))
}

pub(crate) async fn delete_stage(
    State(state): State<AppState>,
    Path((location, id, stage)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Pipelines).await?;
    let pipeline = load(&state, &shell, &id).await?;
    let stage = stage_of(&pipeline, &stage)?.clone();
    let move_to = match posted.form.get("moveTo") {
        "" => None,
        raw => Some(StageId::parse(raw).map_err(|_| {
            WebError::plain(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Stage not deleted",
                "The stage to move the opportunities to is not in this pipeline. Go back and choose another.",
            )
        })?),
    };
    let edit = PipelineEdit::DeleteStage(stage.id.clone(), move_to);
    let (now, by) = (state.clock.now(), shell.changer());
    let store = state.store.as_ref();
    match pipelines::edit_pipeline(store, now, &location, &pipeline.id, edit, &by).await {
        Ok(saved) => {
            let to = shell.url(&format!("/pipelines/{}?done=stage-deleted", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        // Opportunities arrived after the page was shown: ask again, now with the choice.
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let problems = Problems::from_error(e, &[])?;
            let page = stage_page(&state, &shell, &pipeline, &stage, &problems).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn confirm_pipeline(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    shell.admin_for(&state, Section::Pipelines).await?;
    let pipeline = load(&state, &shell, &id).await?;
    pipeline_page(&state, &shell, &pipeline, &Problems::none()).await
}

async fn pipeline_page(
    state: &AppState,
    shell: &Shell,
    pipeline: &Pipeline,
    problems: &Problems,
) -> WebResult<Markup> {
    let totals = state
        .store
        .stage_totals(&shell.location, &pipeline.id, None)
        .await?;
    let count: u64 = totals.iter().map(|t| t.count).sum();
    let back = shell.url(&format!("/pipelines/{}", pipeline.id));
    let content = html! {
        div.page-head { h1 { "Delete the pipeline " q { (pipeline.name) } "?" } }
        (problems.summary())
        section.card.danger-card {
            @if count > 0 {
                p {
                    "This pipeline still has " strong { (count) }
                    @if count == 1 { " opportunity" } @else { " opportunities" }
                    ". Delete them or move them to another pipeline on the board first; then "
                    "the pipeline can be deleted."
                }
                div.actions { a.button href=(back) { "Back to the pipeline" } }
            } @else {
                p { "It has no opportunities. Its stages are deleted with it. This cannot be undone." }
                form method="post" action=(shell.url(&format!("/pipelines/{}/delete", pipeline.id))) {
                    (shell.csrf())
                    div.actions.reverse {
                        button.danger type="submit" { "Delete pipeline" }
                        a.button href=(back) { "Cancel" }
                    }
                }
            }
        }
    };
    let crumbs = [(pipeline.name.as_str(), back.clone())];
    Ok(shell.page(Section::Pipelines, "Delete pipeline", &crumbs, content))
}

pub(crate) async fn delete_pipeline(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Pipelines).await?;
    let pipeline = load(&state, &shell, &id).await?;
    match pipelines::delete_pipeline(state.store.as_ref(), &location, &pipeline.id).await {
        Ok(()) => Ok(Redirect::to(&shell.url("/pipelines?done=deleted")).into_response()),
        Err(e @ AppError::Conflict(_)) => {
            let problems = Problems::from_error(e, &[])?;
            let page = pipeline_page(&state, &shell, &pipeline, &problems).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
