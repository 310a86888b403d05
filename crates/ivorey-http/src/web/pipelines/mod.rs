//! Settings > Pipelines: the location's pipelines with their stages in board order. Admins
//! create them (a name and a stage per line), open one to rename it and add, rename, reorder or
//! delete its stages (`edit`), and delete a stage or a pipeline (`delete`); members see them.

pub(crate) mod delete;
pub(crate) mod edit;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::pipelines;
use ivorey_core::PipelineId;
use ivorey_core::opportunity::{Pipeline, STARTER_NAME, STARTER_STAGES};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{Posted, Viewer};
use super::error::{WebError, WebResult};
use super::forms::{FormData, Input, Problems};
use super::layout::{Tone, icon, notice};
use super::shell::{Section, Shell};
use crate::state::AppState;

const LABELS: &[(&str, &str)] = &[("name", "Pipeline name"), ("stages", "Stages")];

#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let found = state.store.list_pipelines(&shell.location).await?;
    let done = match done.done.as_deref() {
        Some("deleted") => Some("The pipeline was deleted."),
        _ => None,
    };
    Ok(page(
        &shell,
        &found,
        done,
        &starter_form(),
        &Problems::none(),
    ))
}

/// The new-pipeline form's starting values: the starter's stages, which most businesses keep.
fn starter_form() -> FormData {
    FormData(vec![("stages".into(), STARTER_STAGES.join("\n"))])
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin_for(&state, Section::Pipelines).await?;
    let form = &posted.form;
    let (name, stages) = match form.get("starter") {
        "yes" => (STARTER_NAME, STARTER_STAGES.to_vec()),
        _ => (form.get("name"), stage_lines(form.get("stages"))),
    };
    let now = state.clock.now();
    match pipelines::create_pipeline(state.store.as_ref(), now, &location, name, &stages).await {
        Ok(created) => {
            let to = shell.url(&format!("/pipelines/{}?done=created", created.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let found = state.store.list_pipelines(&location).await?;
            let page = page(&shell, &found, None, form, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A textarea's stages: one per line, blank lines skipped.
fn stage_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The location's pipeline named in the path, or a "not found" page.
pub(crate) async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Pipeline> {
    let missing = || {
        WebError::plain(
            StatusCode::NOT_FOUND,
            "Pipeline not found",
            "This pipeline does not exist. It may have been deleted.",
        )
    };
    let id = PipelineId::parse(raw).map_err(|_| missing())?;
    state
        .store
        .get_pipeline(&shell.location, &id)
        .await?
        .ok_or_else(missing)
}

fn page(
    shell: &Shell,
    found: &[Pipeline],
    done: Option<&str>,
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let admin = shell.is_admin();
    let content = html! {
        div.page-head { h1 { "Pipelines" } }
        p.lede {
            "A pipeline is the road a deal travels, stage by stage. Opportunities, from this "
            "app or from your integrations, sit in one stage of one pipeline."
        }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        @if !admin {
            (notice(Tone::Info, html! { "Only admins of this business can change pipelines. You can view them." }))
        }
        (problems.summary())
        @if found.is_empty() {
            div.card.empty {
                span.empty-icon { (icon("board")) }
                h2 { "No pipelines yet" }
                p {
                    "Tools that create opportunities need a pipeline to put them in. "
                    @if admin { "Start with the usual sales stages, or make your own below." }
                    @else { "Ask an admin of this business to create one." }
                }
                @if admin {
                    form method="post" action=(shell.url("/pipelines")) {
                        (shell.csrf())
                        input type="hidden" name="starter" value="yes";
                        button.primary type="submit" { "Create the " (STARTER_NAME) }
                    }
                }
            }
        } @else {
            section.card.table-card aria-labelledby="pipelines-title" {
                h2.visually-hidden #pipelines-title { "Your pipelines" }
                table.list {
                    thead { tr { th scope="col" { "Pipeline" } th scope="col" { "Stages" } } }
                    tbody {
                        @for p in found {
                            tr {
                                td { a.row-link href=(shell.url(&format!("/pipelines/{}", p.id))) { (p.name) } }
                                td.muted {
                                    @for (n, s) in p.stages.iter().enumerate() {
                                        @if n > 0 { " → " }
                                        (s.name)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if admin { (new_pipeline_form(shell, values, problems)) }
    };
    shell.page(Section::Pipelines, "Pipelines", &[], content)
}

fn new_pipeline_form(shell: &Shell, values: &FormData, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="new-title" {
            h2 #new-title { "New pipeline" }
            form method="post" action=(shell.url("/pipelines")) {
                (shell.csrf())
                (Input { label: "Pipeline name", name: "name", value: values.get("name"),
                    required: true, max_chars: Some(100),
                    placeholder: Some("For example Sales or Onboarding"),
                    ..Default::default() }.render(problems))
                (Input { label: "Stages", name: "stages", value: values.get("stages"),
                    kind: "textarea", required: true,
                    hint: Some("One per line, in the order deals move through them. New opportunities start in the first."),
                    ..Default::default() }.render(problems))
                div.actions.left { button.primary type="submit" { "Create pipeline" } }
            }
        }
    }
}
