//! Ivorey's application layer, between the HTTP faces (and the CLI) and the store: the services
//! that validate, mint tokens and write each change with its audit entry, and the process's
//! workers and counters (message delivery, rate limits, usage, metrics). It answers in domain
//! words (`AppError`) and knows nothing of the HTTP server.

pub mod accounts;
pub mod calendars;
pub mod contacts;
pub mod conversations;
pub mod delivery;
mod error;
pub mod form_throttle;
pub mod forms;
pub mod imports;
pub mod integrations;
pub mod messages;
pub mod messaging;
pub mod metrics;
pub mod opportunities;
pub mod payments;
pub mod pipelines;
pub mod rate_limits;
pub mod ratelimit;
pub mod team;
pub mod usage;

pub use error::{AppError, AppResult};
