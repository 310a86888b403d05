//! The upload: a `multipart/form-data` form with the CSRF field and the file. The session and
//! the CSRF token are checked before anything is stored, and the file is read whole (at most
//! `FILE_MAX_BYTES`, the route's own body limit just above it) and checked before the job and
//! its rows are stored in one transaction.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::ids::ImportId;
use ivorey_store::{ContactImport, ImportStatus};
use maud::{Markup, html};

use super::parse::{COLUMNS_MAX, FILE_MAX_BYTES, ROWS_MAX, parse};
use super::path;
use crate::error::ApiError;
use crate::session::SessionUser;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::{WebError, WebResult};
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

/// The body limit of the upload route: the file and the form around it.
pub(crate) const BODY_MAX_BYTES: usize = FILE_MAX_BYTES + 64 * 1024;

/// Earlier imports listed under the form.
const RECENT: u32 = 10;

pub(crate) async fn form(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let recent = state.store.list_imports(&shell.location, RECENT).await?;
    Ok(page(&shell, &recent, None))
}

fn too_large() -> WebError {
    WebError::plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        "File too large",
        &format!(
            "The file is larger than {} MB, so nothing was imported. Split it into smaller files \
             and import each.",
            FILE_MAX_BYTES / (1024 * 1024)
        ),
    )
}

fn unreadable(e: &axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    WebError::plain(
        StatusCode::BAD_REQUEST,
        "Upload not accepted",
        "The upload could not be read, so nothing was imported. Go back and try again.",
    )
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    Path(location): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let (parts, body) = request.into_parts();
    let user = match SessionUser::from_cookie(&parts, &state).await {
        Ok(user) => user,
        Err(ApiError::Unauthorized(_)) => return Err(WebError::SignIn { next: None }),
        Err(e) => return Err(e.into()),
    };
    let shell = Shell::load(&state, user, &location).await?;
    let mut multipart = Multipart::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|_| {
            WebError::plain(
                StatusCode::BAD_REQUEST,
                "Upload not accepted",
                "The upload must be sent from the import page's form.",
            )
        })?;
    let mut csrf_ok = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        match field.name() {
            Some("csrf") => {
                let sent = field.bytes().await.map_err(|e| unreadable(&e))?;
                csrf_ok = shell.user.csrf_matches(&sent);
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("contacts.csv").to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                    if bytes.len() + chunk.len() > FILE_MAX_BYTES {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::plain(
            StatusCode::FORBIDDEN,
            "Form not accepted",
            "This form could not be verified as coming from this page, so nothing was \
             imported. Go back, reload the page and try again.",
        ));
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(&shell, "Choose a CSV file to import.");
    };
    let parsed = match parse(&bytes) {
        Ok(parsed) => parsed,
        Err(why) => return refused(&shell, &why),
    };
    drop(bytes);
    let now = state.clock.now();
    let import = ContactImport {
        id: ImportId::generate(),
        location_id: shell.location.clone(),
        user_id: shell.user.user.id.clone(),
        file_name: file_name.chars().take(200).collect(),
        header: parsed.header,
        mapping: None,
        status: ImportStatus::Mapping,
        total_rows: parsed.rows.len() as u64,
        done_rows: 0,
        created: 0,
        updated: 0,
        refused: 0,
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    state.store.create_import(&import, parsed.rows).await?;
    Ok(Redirect::to(&path(&shell, &import.id, "")).into_response())
}

fn refused(shell: &Shell, why: &str) -> WebResult<Response> {
    let page = page(shell, &[], Some(why));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn page(shell: &Shell, recent: &[ContactImport], problem: Option<&str>) -> Markup {
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/contacts")) { "Contacts" } }
                li { a href=(shell.at("/contacts/import")) { "Import" } }
            }
        }
        div.page-head { h1 { "Import contacts" } }
        p.lede {
            "Upload a CSV file with a header line naming its columns. Next you choose which \
             column goes to which field and see a preview; nothing is imported before you start \
             it. A contact with the same email (or, without one, the same phone) as an existing \
             contact or an earlier row updates that contact instead of doubling it."
        }
        @if let Some(problem) = problem {
            (notice(Tone::Warning, html! { strong { "The file was not imported. " } (problem) }))
        }
        form.card method="post" action=(shell.at("/contacts/import")) enctype="multipart/form-data" {
            (shell.csrf())
            div.field {
                label for="f-file" { "CSV file" }
                input #f-file type="file" name="file" accept=".csv,text/csv" required
                    aria-describedby="f-file-hint";
                p.hint #f-file-hint {
                    "UTF-8 text, up to " (FILE_MAX_BYTES / (1024 * 1024)) " MB, "
                    (COLUMNS_MAX) " columns and " (ROWS_MAX) " rows."
                }
            }
            div.actions {
                a.button href=(shell.at("/contacts")) { "Cancel" }
                button.primary type="submit" { "Upload and map columns" }
            }
        }
        @if !recent.is_empty() {
            section.card aria-labelledby="recent-title" {
                h2 #recent-title { "Recent imports" }
                ul.plain-list {
                    @for job in recent {
                        li {
                            a href=(path(shell, &job.id, "")) { (job.file_name) }
                            " · " (shell.zone.date_time(job.created_at)) " · "
                            @match job.status {
                                ImportStatus::Mapping => "columns not mapped yet",
                                ImportStatus::Queued => "importing",
                                ImportStatus::Done => "finished",
                            }
                        }
                    }
                }
            }
        }
    };
    shell.app_page(Area::Contacts, "Import contacts", content)
}
