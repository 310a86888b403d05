//! The embedded SQLite store: one database file, WAL mode, a small pool of rusqlite connections
//! used from blocking threads. Several processes (the server and CLI commands) may share a file;
//! SQLite's locking keeps them consistent and every change is visible to the next query.

mod audit;
mod auth_epoch;
mod calendars;
mod contact_search;
mod contacts;
mod conversations;
mod custom_fields;
mod forms;
mod integrations;
mod locations;
mod messages;
mod messaging;
mod migrate;
mod notes;
mod opportunities;
mod payments;
mod planner_stats;
mod pool;
mod rate_limits;
mod tasks;
mod tokens;
mod usage;
mod users;
mod wal_index;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use ivorey_store::grant_cache::{DEFAULT_CAPACITY, GrantCache};
use ivorey_store::{Store, StoreError, StoreResult};
use rusqlite::{Connection, ErrorCode};

pub use migrate::MIGRATIONS;

/// The SQLite backend.
#[derive(Clone)]
pub struct SqliteStore {
    pool: r2d2::Pool<pool::ConnectionManager>,
    readers: r2d2::Pool<pool::ConnectionManager>,
    path: PathBuf,
    /// Verified grants, kept fresh by `epoch_watch` before each lookup.
    grants: Arc<GrantCache>,
    epoch_watch: Arc<auth_epoch::EpochWatch>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`. Does not migrate.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let build = |size: u32, timeout_secs: u64| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                // A local file connection does not go stale; checking each checkout would add
                // a statement to every token lookup.
                .test_on_check_out(false)
                .connection_timeout(std::time::Duration::from_secs(timeout_secs))
                .build(pool::ConnectionManager::new(path.to_owned()))
                .map_err(|e| {
                    StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
                })
        };
        // Writers queue on SQLite's lock (busy_timeout) while holding one of these.
        let pool = build(8, 10)?;
        // One connection per async worker suffices for `read_now`; a few spare cover bursts.
        let workers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32);
        let readers = build(workers + 2, 2)?;
        Ok(SqliteStore {
            pool,
            readers,
            path: path.to_owned(),
            grants: Arc::new(GrantCache::trusted(DEFAULT_CAPACITY)),
            epoch_watch: Arc::new(auth_epoch::EpochWatch::new(path.to_owned())),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a pooled connection on a blocking thread.
    async fn call<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Other(format!("store task failed: {e}")))?
    }
}

impl SqliteStore {
    /// Runs a point lookup (token, contact or location by key) on the calling async worker,
    /// with a connection of the reader pool.
    /// In WAL mode a reader never waits for a writer, and this pool serves only these
    /// synchronous lookups (each holds its connection for a few microseconds without yielding),
    /// so neither the query nor the checkout blocks the worker for long; handing a query this
    /// short to another thread would cost more than the query itself.
    fn read_now<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self
            .readers
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        f(&mut conn)
    }
}

/// Maps a driver error: lock timeouts are `Unavailable`, the rest `Other`. Uniqueness
/// violations are mapped where the caller knows which rule was broken.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

/// True for a UNIQUE or PRIMARY KEY violation.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.call(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }

    fn grant_cache(&self) -> Option<&GrantCache> {
        Some(&self.grants)
    }
}
