//! Tasks on a contact: `/contacts/{contactId}/tasks[/{taskId}[/completed]]`, in HighLevel v2
//! shapes. A contact or task of another location answers exactly like a missing one; a task
//! may be assigned only to a user of the token's location.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::ids::TaskId;
use ivorey_core::task::{Task, TaskInput};
use ivorey_core::{ContactId, LocationId};
use ivorey_store::StoreError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Granted;
use super::contacts::{NOT_FOUND, contact_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const TASK_NOT_FOUND: ApiError = ApiError::NotFound("Task not found");

async fn contact_in(state: &AppState, location: &LocationId, raw: &str) -> ApiResult<ContactId> {
    let id = contact_id(raw)?;
    state
        .store
        .get_contact(location, &id)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(id)
}

async fn task_in(
    state: &AppState,
    location: &LocationId,
    (contact, id): &(String, String),
) -> ApiResult<Task> {
    let contact = contact_in(state, location, contact).await?;
    let id = TaskId::parse(id).map_err(|_| {
        ApiError::BadRequest("taskId must be a 20-character alphanumeric id".into())
    })?;
    state
        .store
        .get_task(location, &contact, &id)
        .await?
        .ok_or(TASK_NOT_FOUND)
}

/// Refuses an assignee who is not a member of the location (422, like any bad field).
async fn check_assignee(state: &AppState, location: &LocationId, task: &Task) -> ApiResult<()> {
    let Some(user) = &task.assigned_to else {
        return Ok(());
    };
    let members = state.store.location_users(location).await?;
    if members.iter().any(|(u, _)| &u.id == user) {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(vec![
            "assignedTo must be the id of a user of the location".into(),
        ]))
    }
}

fn task_store_err(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => TASK_NOT_FOUND,
        other => other.into(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(contact): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let contact = contact_in(&state, location, &contact).await?;
    let tasks = state.store.list_tasks(location, &contact).await?;
    let tasks: Vec<Value> = tasks.iter().map(Task::to_json).collect();
    Ok(ok(json!({ "tasks": tasks })))
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(contact): ApiPath<String>,
    ApiJson(body): ApiJson<TaskInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let contact = contact_in(&state, location, &contact).await?;
    let task = body.into_task(contact, state.clock.now(), &granted.changer())?;
    check_assignee(&state, location, &task).await?;
    state
        .store
        .insert_task(location, &task)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "task": task.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let task = task_in(&state, location, &ids).await?;
    Ok(ok(json!({ "task": task.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<TaskInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let current = task_in(&state, location, &ids).await?;
    let task = body.apply_to(current, state.clock.now(), &granted.changer())?;
    check_assignee(&state, location, &task).await?;
    state
        .store
        .update_task(location, &task)
        .await
        .map_err(task_store_err)?;
    Ok(ok(json!({ "task": task.to_json() })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletedBody {
    completed: bool,
}

pub async fn completed(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<CompletedBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let mut task = task_in(&state, location, &ids).await?;
    task.completed = body.completed;
    task.date_updated = state.clock.now();
    task.updated_by = Some(granted.changer());
    state
        .store
        .update_task(location, &task)
        .await
        .map_err(task_store_err)?;
    Ok(ok(json!({ "task": task.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(ids): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let task = task_in(&state, location, &ids).await?;
    state
        .store
        .delete_task(location, &task.contact_id, &task.id)
        .await
        .map_err(task_store_err)?;
    Ok(ok(json!({ "succeded": true })))
}
