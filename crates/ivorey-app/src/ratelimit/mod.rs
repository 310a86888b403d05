//! Rate limits with HighLevel's semantics: a burst limit per integration (100 requests per 10 s)
//! and a daily limit per location (200,000 per UTC day), reported on every authenticated
//! response in HighLevel's `X-RateLimit-*` headers (the HTTP layer's scope gate writes them),
//! with 429 and `Retry-After` past a limit.
//! A location may have its own limits (`location_rate_limits`); the counters live in this
//! process (`local.rs`) or, with several nodes, in PostgreSQL or Redis (`limiter.rs`), which
//! each node asks for a few requests at a time (`lease.rs`).

mod lease;
mod limiter;
mod limits;
mod local;

pub use limiter::RateLimiter;
pub use limits::{RateInfo, RateLimits};
pub use local::LocalCounter;
