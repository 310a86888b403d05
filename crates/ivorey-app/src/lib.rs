//! Ivorey's application layer, between the HTTP faces (and the CLI) and the store: the services
//! that validate, mint tokens and write each change with its audit entry, and the process's
//! workers and counters (message delivery, rate limits, usage, metrics). It answers in domain
//! words (`AppError`) and knows nothing of the HTTP server.

pub mod delivery;
pub mod metrics;
pub mod ratelimit;
pub mod usage;
