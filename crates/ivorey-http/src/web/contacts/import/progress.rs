//! The progress page of a started import (rows done of total, created, updated, refused, a
//! progress bar, the refused rows with their reasons) that refreshes itself every two seconds
//! while the worker runs (a `Refresh` header: no script needed), and the refused rows as a CSV
//! file to fix and import again.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ivorey_store::{ContactImport, ImportStatus};
use maud::html;

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::contacts::export::guard;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

/// Refused rows listed on the page; the download has them all.
const LISTED: u32 = 100;
/// Refused rows read at once for the download.
const PAGE: u32 = 1_000;

pub(crate) async fn page(
    state: &AppState,
    shell: &Shell,
    job: &ContactImport,
) -> WebResult<Response> {
    let refused = state
        .store
        .refused_import_rows(&shell.location, &job.id, 0, LISTED)
        .await?;
    let done = job.status == ImportStatus::Done;
    let percent = (job.done_rows * 100)
        .checked_div(job.total_rows)
        .unwrap_or(100);
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/contacts")) { "Contacts" } }
                li { a href=(shell.at("/contacts/import")) { "Import" } }
                li { a href=(path(shell, &job.id, "")) { (job.file_name) } }
            }
        }
        div.page-head {
            h1 { @if done { "Import finished" } @else { "Importing " (job.file_name) } }
        }
        @if done {
            (notice(Tone::Success, html! {
                "Every row of " (job.file_name) " was applied: " (format::number(job.created)) " created, "
                (format::number(job.updated)) " updated, " (format::number(job.refused)) " refused."
            }))
        } @else {
            p.lede { "This page refreshes itself. You can leave it: the import goes on." }
        }
        section.card aria-labelledby="progress-title" {
            h2 #progress-title { "Progress" }
            label for="import-progress" {
                (format::number(job.done_rows)) " of " (format::number(job.total_rows)) " rows done (" (percent) "%)"
            }
            progress #import-progress max=(job.total_rows) value=(job.done_rows) {
                (percent) "%"
            }
            dl.import-counts {
                div { dt { "Created" } dd #count-created { (format::number(job.created)) } }
                div { dt { "Updated" } dd #count-updated { (format::number(job.updated)) } }
                div { dt { "Refused" } dd #count-refused { (format::number(job.refused)) } }
            }
        }
        @if !refused.is_empty() {
            section.card aria-labelledby="refused-title" {
                h2 #refused-title { "Refused rows" }
                p {
                    "Rows are counted from the first line after the header. "
                    a.button href=(path(shell, &job.id, "/refused.csv")) download {
                        "Download refused rows (CSV)"
                    }
                }
                table.list.import-refused {
                    thead { tr { th scope="col" { "Row" } th scope="col" { "As in the file" } th scope="col" { "Reason" } } }
                    tbody {
                        @for row in &refused {
                            tr {
                                td data-label="Row" { (format::number(row.number)) }
                                td.clamp data-label="As in the file" { (as_in_file(&row.cells)) }
                                td data-label="Reason" { (row.reason) }
                            }
                        }
                    }
                }
                @if job.refused > u64::from(LISTED) {
                    p.hint { "The first " (LISTED) " are shown; the download has all " (format::number(job.refused)) "." }
                }
            }
        }
        p.actions { a.button href=(shell.at("/contacts")) { "Back to contacts" } }
    };
    let mut response = shell
        .app_page(Area::Contacts, "Import progress", content)
        .into_response();
    if !done {
        response
            .headers_mut()
            .insert(header::REFRESH, HeaderValue::from_static("2"));
    }
    Ok(response)
}

/// `GET .../import/{id}/refused.csv`: the refused rows as uploaded, each with its row number
/// and reason in front, to fix and import again.
pub(crate) async fn refused_csv(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Response> {
    let shell = Shell::load(&state, user, &location).await?;
    let job = load(&state, &shell, &id).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["Row".to_owned(), "Reason".to_owned()];
    header.extend(job.header.iter().cloned());
    let written = out.write_record(&header);
    let mut after = 0;
    loop {
        let rows = state
            .store
            .refused_import_rows(&shell.location, &job.id, after, PAGE)
            .await?;
        for row in &rows {
            let mut record = vec![row.number.to_string(), guard(&row.reason)];
            record.extend(row.cells.iter().map(|c| guard(c)));
            out.write_record(&record).map_err(csv_failed)?;
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE as usize => after = last.number,
            _ => break,
        }
    }
    written.map_err(csv_failed)?;
    let body = out
        .into_inner()
        .map_err(|e| csv_failed(e.into_error().into()))?;
    let disposition = "attachment; filename=\"refused-rows.csv\"";
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

fn csv_failed(e: csv::Error) -> crate::web::error::WebError {
    crate::error::ApiError::Internal(format!("writing CSV: {e}")).into()
}

/// A refused row's cells as the owner would recognise them: the non-empty ones, comma-separated,
/// cut at 80 characters.
fn as_in_file(cells: &[String]) -> String {
    let joined = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if joined.chars().count() > 80 {
        format!("{}…", joined.chars().take(80).collect::<String>())
    } else if joined.is_empty() {
        "(empty)".to_owned()
    } else {
        joined
    }
}
