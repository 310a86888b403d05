//! The embedded SQLite store: one database file, WAL mode; one writing connection and a pool
//! for longer reads, both used from blocking threads, and a pool for point lookups run on the
//! async workers (`read_now`). Several processes (the server and CLI commands) may share a file;
//! SQLite's locking keeps them consistent and every change is visible to the next query.

mod auth_epoch;
mod contact_search;
mod contacts;
mod db;
mod group_commit;
mod locations;
mod migrate;
mod planner_stats;
mod pool;
mod rate_limits;
mod tokens;
mod wal_index;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use ivorey_store::grant_cache::{DEFAULT_CAPACITY, GrantCache};
use ivorey_store::{Store, StoreError, StoreResult};
use rusqlite::{Connection, ErrorCode};

pub use group_commit::GroupCommitStats;
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
    /// This process's one connection for work that may write; writes take turns on it (see
    /// `call`).
    writer: Arc<tokio::sync::Mutex<Connection>>,
    /// The writes of the shared store code, committed in groups on `writer`.
    group: Arc<group_commit::GroupCommit>,
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
                // Opened on first use, after `migrate`: a connection loads the planner's
                // statistics when it opens, and those written at migration would not reach
                // connections opened before.
                .min_idle(Some(0))
                // A local file connection does not go stale; checking each checkout would add
                // a statement to every token lookup.
                .test_on_check_out(false)
                .connection_timeout(std::time::Duration::from_secs(timeout_secs))
                .build(pool::ConnectionManager::new(path.to_owned()))
                .map_err(|e| {
                    StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
                })
        };
        // For reads that take a while (lists, searches), on blocking threads.
        let pool = build(8, 10)?;
        // One connection per async worker suffices for `read_now`; a few spare cover bursts.
        let workers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32);
        let readers = build(workers + 2, 2)?;
        let writer: Connection =
            r2d2::ManageConnection::connect(&pool::ConnectionManager::new(path.to_owned()))
                .map_err(|e| {
                    StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
                })?;
        let writer = Arc::new(tokio::sync::Mutex::new(writer));
        Ok(SqliteStore {
            pool,
            readers,
            path: path.to_owned(),
            grants: Arc::new(GrantCache::trusted(DEFAULT_CAPACITY)),
            epoch_watch: Arc::new(auth_epoch::EpochWatch::new(path.to_owned())),
            group: group_commit::GroupCommit::new(writer.clone()),
            writer,
        })
    }

    /// How many commits the shared store code's writes made, and how many writes they held.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        self.group.stats()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f`, which may write, on a blocking thread with this process's one writing
    /// connection, once the writes before it are done. SQLite has one writer at a time anyway;
    /// queueing here instead of on its lock keeps waiting writers from holding read snapshots
    /// of the log while they retry, which kept the log from ever starting over (under steady
    /// load it grew without bound: 1.3 GB in 40 s of seeding), and one connection keeps its
    /// page cache, which SQLite drops whenever another connection has committed. A CLI command
    /// in another process still waits on SQLite's lock (`busy_timeout`).
    async fn call<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        // Moved into the task, so a caller that gives up (request timeout) still leaves the
        // connection to the write it started until that write has finished.
        let mut writer = self.writer.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut writer))
            .await
            .map_err(|e| StoreError::Other(format!("store task failed: {e}")))?
    }

    /// Runs `f`, which only reads, with a pooled connection on a blocking thread. Readers never
    /// wait for the writer in WAL mode.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
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

/// Maps a driver error: lock timeouts and a search interrupted past its time budget are
/// `Unavailable`, the rest `Other`. Uniqueness violations are mapped where the caller knows
/// which rule was broken.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::OperationInterrupted,
        ) => StoreError::Unavailable(e.to_string()),
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
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }

    fn grant_cache(&self) -> Option<&GrantCache> {
        Some(&self.grants)
    }
}

#[cfg(test)]
mod tests {
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::{ContactId, Timestamp};
    use ivorey_store::ContactStore;
    use ivorey_store::conformance::new_location;

    use super::SqliteStore;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_under_concurrent_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.db");
        let store = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        store.migrate().await.unwrap();
        let (location, _) = new_location(store.as_ref(), "Gate").await;
        // 32 writers at once, 2,400 contacts: each commit adds ~15 pages (60 KB) to the log,
        // so a log that never started over would pass 140 MB.
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..32 {
            let (store, location) = (store.clone(), location.clone());
            writers.spawn(async move {
                for n in 0..75 {
                    let c = Contact {
                        id: ContactId::generate(),
                        location_id: location.clone(),
                        fields: ContactFields {
                            first_name: Some(format!("Writer{w}")),
                            email: Some(format!("w{w}n{n}@example.com")),
                            ..ContactFields::default()
                        },
                        date_added: Timestamp(n),
                        date_updated: Timestamp(n),
                    };
                    store.insert_contact(&c).await.unwrap();
                }
            });
        }
        while let Some(done) = writers.join_next().await {
            done.unwrap();
        }
        let mut wal = path.into_os_string();
        wal.push("-wal");
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert!(size < 32 << 20, "the log grew to {size} bytes");
    }
}
