//! The SQL both backends run, written once: statements (`Sql`, in PostgreSQL's `$N` style,
//! rewritten for SQLite once), their parameters (`Param`), rows read through one `Row` trait,
//! and the store traits implemented for every `SqlBackend` from those pieces.
//!
//! A backend supplies only what truly differs: how a statement runs on its driver (`Db`), how
//! a unit of work gets a connection and a transaction (`SqlBackend`), and the hooks where the
//! dialects part (the posting index, the rate counters, the token lookup; row locks and batch statements
//! branch on `Db::dialect`).
//!
//! Work is written as async code over `&mut dyn Db`. On PostgreSQL each statement is a real
//! round trip; on SQLite every `Db` future is ready at once, so the whole unit of work runs to
//! completion in one poll on the blocking thread that holds the connection (`run_ready`).

pub mod audit;
mod backend;
mod calendars;
mod contact_imports;
pub mod contacts;
mod conversations;
mod custom_fields;
mod dashboard;
mod db;
mod forms;
mod inbox;
mod integration_rows;
mod integrations;
mod locations;
mod messages;
mod messaging;
mod notes;
mod opportunities;
mod payments;
pub mod rate_limits;
mod statement;
mod tasks;
mod team;
mod tokens;
mod usage;
mod users;

pub use backend::{SqlBackend, Work, run_ready, work};
pub use db::{Db, DbFuture, EachRow, Row, changed_by, corrupt, encoded, id, opt_id, opt_ts, ts};
pub use statement::{Dialect, Param, Sql};

/// Runs a unit of work on a backend: `run!(self.read, [location, id], |db| db.opt(..).await)`
/// copies the listed variables (the work owns what it uses), makes the `Work` and awaits it.
#[macro_export]
macro_rules! run {
    ($store:ident.$how:ident, [$($var:ident),*], |$db:ident| $body:expr) => {{
        $(let $var = $var.to_owned();)*
        $store
            .$how($crate::sql::work(move |$db: &mut dyn $crate::sql::Db| {
                ::std::boxed::Box::pin(async move { $body })
            }))
            .await
    }};
}
