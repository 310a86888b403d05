//! The store itself: its connections, the writer's queue and the grant cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ivorey_store::grant_cache::{DEFAULT_CAPACITY, GrantCache};
use ivorey_store::{StoreError, StoreResult};
use rusqlite::Connection;

use crate::group_commit::{self, GroupCommitStats};
use crate::{auth_epoch, pool};

/// The SQLite backend.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: r2d2::Pool<pool::ConnectionManager>,
    pub(crate) readers: r2d2::Pool<pool::ConnectionManager>,
    pub(crate) path: PathBuf,
    /// Verified grants, kept fresh by `epoch_watch` before each lookup.
    pub(crate) grants: Arc<GrantCache>,
    pub(crate) epoch_watch: Arc<auth_epoch::EpochWatch>,
    /// This process's one connection for work that may write; writes take turns on it (see
    /// `call`).
    pub(crate) writer: Arc<tokio::sync::Mutex<Connection>>,
    /// The writes of the shared store code, committed in groups on `writer`.
    pub(crate) group: Arc<group_commit::GroupCommit>,
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
        // The writer's page cache: 64 MiB rather than SQLite's 2 MB default. A batch of contact
        // writes (an import's 500 rows, a group commit) dirties more pages than 2 MB holds, and
        // spilling them to the log mid-transaction was a third of an import's time.
        // It checkpoints the log once it holds 10,000 pages (40 MB) rather than 1,000: a batch
        // of 500 contacts passed the default at nearly every commit, and each checkpoint wrote
        // back and synced the same hot pages again.
        writer
            .execute_batch("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000;")
            .map_err(|e| StoreError::Unavailable(format!("configuring {}: {e}", path.display())))?;
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
    pub(crate) async fn call<T, F>(&self, f: F) -> StoreResult<T>
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
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
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
    pub(crate) fn read_now<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self
            .readers
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        f(&mut conn)
    }
}
