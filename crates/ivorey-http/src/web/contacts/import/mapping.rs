//! The mapping page: each column of the file to a contact field (standard fields by label, the
//! business's custom fields, or "Don't import"), guessed from the header names, with a preview
//! of the first rows as they would be imported and the ones that would be refused and why.
//! "Update preview" shows the chosen mapping again (no JavaScript needed); "Start import"
//! saves it and queues the job for the worker.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::imports::fields::{self, STANDARD, custom_target};
use ivorey_core::custom_field::CustomField;
use ivorey_store::{ContactImport, ImportRow, ImportStatus, StoreError};
use maud::{Markup, html};

use super::{load, path, progress};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::forms::FormData;
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

const PREVIEW_ROWS: u32 = 5;

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Response> {
    let shell = Shell::load(&state, user, &location).await?;
    let job = load(&state, &shell, &id).await?;
    if job.status != ImportStatus::Mapping {
        return progress::page(&state, &shell, &job).await;
    }
    let custom = custom_fields(&state, &shell).await?;
    let mapping = fields::guess(&job.header, &custom);
    let sample = sample(&state, &job).await?;
    Ok(page(&shell, &job, &custom, &mapping, &sample, None).into_response())
}

pub(crate) async fn post(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let job = load(&state, &shell, &id).await?;
    if job.status != ImportStatus::Mapping {
        return Ok(Redirect::to(&path(&shell, &job.id, "")).into_response());
    }
    let custom = custom_fields(&state, &shell).await?;
    let mapping = posted_mapping(&posted.form, &job);
    let problem = mapping_problem(&mapping, &custom);
    if posted.form.get("action") == "start" && problem.is_none() {
        let now = state.clock.now();
        match state
            .store
            .start_import(&shell.location, &job.id, &mapping, now)
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        state.imports.wake();
        return Ok(Redirect::to(&path(&shell, &job.id, "")).into_response());
    }
    let sample = sample(&state, &job).await?;
    let page = page(&shell, &job, &custom, &mapping, &sample, problem.as_deref());
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

async fn custom_fields(state: &AppState, shell: &Shell) -> WebResult<Vec<CustomField>> {
    Ok(state
        .store
        .list_custom_fields(&shell.location, Some("contact"))
        .await?)
}

async fn sample(state: &AppState, job: &ContactImport) -> WebResult<Vec<ImportRow>> {
    Ok(state
        .store
        .import_rows(&job.location_id, &job.id, 0, PREVIEW_ROWS)
        .await?)
}

/// The target chosen for each column (`col.N`), as posted.
fn posted_mapping(form: &FormData, job: &ContactImport) -> Vec<String> {
    (0..job.header.len())
        .map(|i| form.get(&format!("col.{i}")).trim().to_owned())
        .collect()
}

/// What is wrong with a mapping, if anything.
fn mapping_problem(mapping: &[String], custom: &[CustomField]) -> Option<String> {
    if let Some(bad) = mapping.iter().find(|t| !fields::is_target(t, custom)) {
        return Some(format!(
            "\"{bad}\" is not a field of this business. Choose a field from the list."
        ));
    }
    for (i, target) in mapping.iter().enumerate() {
        if !target.is_empty() && mapping[..i].contains(target) {
            let label = fields::label(target, custom).unwrap_or(target);
            return Some(format!(
                "{label} is chosen for two columns. Choose it for one column only."
            ));
        }
    }
    if mapping.iter().all(String::is_empty) {
        return Some("Choose a field for at least one column.".into());
    }
    None
}

fn options(target: &str, custom: &[CustomField]) -> Markup {
    html! {
        option value="" selected[target.is_empty()] { "Don't import" }
        optgroup label="Contact fields" {
            @for (key, label, _) in STANDARD {
                option value=(key) selected[*key == target] { (label) }
            }
        }
        @if !custom.is_empty() {
            optgroup label="Custom fields" {
                @for f in custom {
                    @let value = custom_target(f);
                    option value=(value) selected[value == target] { (f.name) }
                }
            }
        }
    }
}

fn page(
    shell: &Shell,
    job: &ContactImport,
    custom: &[CustomField],
    mapping: &[String],
    sample: &[ImportRow],
    problem: Option<&str>,
) -> Markup {
    let first = sample.first();
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/contacts")) { "Contacts" } }
                li { a href=(shell.at("/contacts/import")) { "Import" } }
                li { a href=(path(shell, &job.id, "")) { (job.file_name) } }
            }
        }
        div.page-head { h1 { "Map columns" } }
        p.lede {
            (job.file_name) " has " (format::number(job.total_rows)) " rows. Choose the field each column goes \
             to; the guesses come from the column names."
        }
        @if let Some(problem) = problem {
            (notice(Tone::Warning, html! { (problem) }))
        }
        form method="post" action=(path(shell, &job.id, "")) {
            (shell.csrf())
            div.card.table-card {
                table.list.import-mapping {
                    caption.visually-hidden { "Columns of " (job.file_name) }
                    thead {
                        tr {
                            th scope="col" { "Column" }
                            th scope="col" { "First row" }
                            th scope="col" { "Import as" }
                        }
                    }
                    tbody {
                        @for (i, name) in job.header.iter().enumerate() {
                            @let id = format!("col-{i}");
                            tr {
                                td data-label="Column" { label for=(id) { (name) } }
                                td data-label="First row" {
                                    (first.and_then(|r| r.cells.get(i)).map_or("", String::as_str))
                                }
                                td data-label="Import as" {
                                    select id=(id) name={ "col." (i) } {
                                        (options(mapping.get(i).map_or("", String::as_str), custom))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (preview(job, custom, mapping, sample))
            div.actions.sticky-actions {
                a.button href=(shell.at("/contacts")) { "Cancel" }
                button type="submit" name="action" value="preview" { "Update preview" }
                button.primary type="submit" name="action" value="start" { "Start import" }
            }
        }
    };
    shell.app_page(Area::Contacts, "Map columns", content)
}

fn preview(
    job: &ContactImport,
    custom: &[CustomField],
    mapping: &[String],
    sample: &[ImportRow],
) -> Markup {
    let mapped: Vec<(usize, &str)> = mapping
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .filter_map(|(i, t)| Some((i, fields::label(t, custom)?)))
        .collect();
    html! {
        section.card aria-labelledby="preview-title" {
            h2 #preview-title { "Preview of the first " (sample.len()) " rows" }
            p.hint {
                "As they would be imported. A row that matches an existing contact's email or \
                 phone updates that contact."
            }
            div.table-scroll {
                table.list.import-preview {
                    thead {
                        tr {
                            th scope="col" { "Row" }
                            @for (_, label) in &mapped { th scope="col" { (label) } }
                            th scope="col" { "Result" }
                        }
                    }
                    tbody {
                        @for row in sample {
                            @let result = ivorey_app::imports::preview(job, mapping, &row.cells);
                            tr {
                                td data-label="Row" { (row.number) }
                                @for (i, label) in &mapped {
                                    td data-label=(label) {
                                        (row.cells.get(*i).map_or("", String::as_str))
                                    }
                                }
                                td data-label="Result" {
                                    @match result {
                                        Ok(_) => span.badge.badge-ok { "Will be imported" },
                                        Err(why) => span.refused { "Refused: " (why) },
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
