//! A contact's tasks from its page: add (title, due time, details), complete or reopen, delete.

use axum::extract::{Path, State};
use axum::response::Response;
use ivorey_core::ids::TaskId;
use ivorey_core::task::TaskInput;

use super::load;
use super::on_contact::TASK;
use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::WebResult;
use crate::web::shell::Shell;

pub(crate) async fn add(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let body = Some(form.get("body").trim().to_owned()).filter(|b| !b.is_empty());
    let input = TaskInput {
        title: Some(form.get("title").to_owned()),
        body: Some(body),
        due_date: Some(due_date(&shell, form.get("due"))),
        completed: Some(false),
        assigned_to: None,
    };
    let now = state.clock.now();
    let task = input
        .into_task(contact.id.clone(), now, &shell.changer())
        .map_err(|e| TASK.refused(e))?;
    state
        .store
        .insert_task(&shell.location, &task)
        .await
        .map_err(|e| TASK.not_found(e))?;
    Ok(TASK.back(&shell, &contact.id, "task-added"))
}

/// `datetime-local` sends `2026-12-03T14:30`, without a zone: it is the business's wall clock
/// (the form names the zone). Anything else is passed on as typed, for the task's own check
/// to refuse or accept (an RFC 3339 time with its offset).
fn due_date(shell: &Shell, local: &str) -> String {
    match shell.zone.read_input(local) {
        Some(at) => at.to_rfc3339(),
        None => local.trim().to_owned(),
    }
}

pub(crate) async fn complete(
    State(state): State<AppState>,
    Path((location, id, task)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let task_id = TaskId::parse(&task).map_err(|_| TASK.missing())?;
    let found = state
        .store
        .get_task(&shell.location, &contact.id, &task_id)
        .await?
        .ok_or_else(|| TASK.missing())?;
    let completed = posted.form.get("completed") != "false";
    let now = state.clock.now();
    let input = TaskInput {
        completed: Some(completed),
        ..TaskInput::default()
    };
    let task = input
        .apply_to(found, now, &shell.changer())
        .map_err(|e| TASK.refused(e))?;
    state
        .store
        .update_task(&shell.location, &task)
        .await
        .map_err(|e| TASK.not_found(e))?;
    let done = if completed {
        "task-done"
    } else {
        "task-reopened"
    };
    Ok(TASK.back(&shell, &contact.id, done))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id, task)): Path<(String, String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let task_id = TaskId::parse(&task).map_err(|_| TASK.missing())?;
    state
        .store
        .delete_task(&shell.location, &contact.id, &task_id)
        .await
        .map_err(|e| TASK.not_found(e))?;
    Ok(TASK.back(&shell, &contact.id, "task-deleted"))
}
