//! Application services: the operations behind the management API and the CLI, so both apply
//! the same validation, token handling and audit trail. They answer in domain words
//! (`AppError`), never in HTTP ones.

pub mod accounts;
pub mod contacts;
mod error;
pub mod form_throttle;
pub mod forms;
pub mod integrations;
pub mod messaging;
pub mod payments;
pub mod pipelines;
pub mod rate_limits;
pub mod usage;

pub use error::{AppError, AppResult};
