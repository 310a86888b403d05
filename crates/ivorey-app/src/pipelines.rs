//! Pipelines: HighLevel's API only reads them (admins set them up), so they are made and
//! edited here, where every caller (Settings > Pipelines, the management API, the CLI's seed)
//! gets the same validation. A new location gets the starter pipeline from `accounts`.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::Pipeline;
use ivorey_core::{LocationId, PipelineId, StageId, Timestamp, ValidationErrors};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

pub const NOT_FOUND: AppError = AppError::NotFound("Pipeline not found");

/// Creates a pipeline in `location` with `stages` in the order given (the first is where new
/// opportunities land).
pub async fn create_pipeline(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    name: &str,
    stages: &[&str],
) -> AppResult<Pipeline> {
    let pipeline = Pipeline::new(location, name, stages, now)?;
    insert(store, &pipeline).await?;
    Ok(pipeline)
}

/// Creates the starter "Sales Pipeline" in `location`.
pub async fn create_starter(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
) -> AppResult<Pipeline> {
    let pipeline = Pipeline::starter(location, now);
    insert(store, &pipeline).await?;
    Ok(pipeline)
}

async fn insert(store: &dyn Store, pipeline: &Pipeline) -> AppResult<()> {
    store.create_pipeline(pipeline).await.map_err(|e| match e {
        StoreError::NotFound => AppError::NotFound("Location not found"),
        other => other.into(),
    })
}

/// The location's pipeline `id`, or `NOT_FOUND`.
pub async fn load(
    store: &dyn Store,
    location: &LocationId,
    id: &PipelineId,
) -> AppResult<Pipeline> {
    store.get_pipeline(location, id).await?.ok_or(NOT_FOUND)
}

/// One edit of a pipeline, as Settings > Pipelines makes them.
#[derive(Debug, Clone)]
pub enum PipelineEdit {
    Rename(String),
    AddStage(String),
    RenameStage(StageId, String),
    /// Moves the stage one place earlier (`true`) or later.
    MoveStage(StageId, bool),
    /// Deletes the stage, moving its opportunities to the second stage first when given.
    DeleteStage(StageId, Option<StageId>),
}

/// Applies `edit` to the location's pipeline `id` and saves it; the store makes the stage
/// changes and any moved opportunities one transaction.
pub async fn edit_pipeline(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &PipelineId,
    edit: PipelineEdit,
    by: &ChangedBy,
) -> AppResult<Pipeline> {
    let mut pipeline = load(store, location, id).await?;
    let mut moves = Vec::new();
    match edit {
        PipelineEdit::Rename(name) => pipeline.rename(&name, now)?,
        PipelineEdit::AddStage(name) => drop(pipeline.add_stage(&name, now)?),
        PipelineEdit::RenameStage(stage, name) => pipeline.rename_stage(&stage, &name, now)?,
        PipelineEdit::MoveStage(stage, earlier) => pipeline.move_stage(&stage, earlier, now)?,
        PipelineEdit::DeleteStage(stage, move_to) => {
            pipeline.remove_stage(&stage, now)?;
            if let Some(to) = move_to {
                if pipeline.stage(&to).is_none() {
                    return Err(ValidationErrors::single(
                        "moveTo",
                        "must be another stage of the pipeline",
                    )
                    .into());
                }
                moves.push((stage, to));
            }
        }
    }
    store
        .update_pipeline(&pipeline, &moves, by)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(pipeline)
}

/// Deletes a pipeline without opportunities (`Conflict` while it has any).
pub async fn delete_pipeline(
    store: &dyn Store,
    location: &LocationId,
    id: &PipelineId,
) -> AppResult<()> {
    store
        .delete_pipeline(location, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })
}
