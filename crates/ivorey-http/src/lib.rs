//! Ivorey's HTTP layer, three faces over the application services of `ivorey-app`: the
//! HighLevel-compatible public API that Private Integration tokens call (`public/`), the
//! management API that signed-in admins use (`manage/`) and the server-rendered web app
//! (`web/`). This file only names the parts; the shared state is `state.rs`.

mod base_url;
mod connections;
mod error;
mod extract;
mod manage;
mod metrics;
pub mod openapi;
mod public;
mod reply;
mod server;
mod session;
mod state;
mod web;

pub use connections::ConnectionLimits;
pub use error::{ApiError, MISSING_SCOPE, WRONG_LOCATION};
pub use server::{router, serve};
pub use state::{AppState, HttpConfig, Shared};
