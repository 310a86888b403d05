//! Pipelines: HighLevel's API only reads them (admins set them up), so they are created here,
//! where every caller (tests today, a management screen or CLI command later) gets the same
//! validation.

use ivorey_core::opportunity::Pipeline;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

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
    store
        .create_pipeline(&pipeline)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("Location not found"),
            other => other.into(),
        })?;
    Ok(pipeline)
}
