//! Keeping the token grant cache fresh on SQLite, where another process (the `ivorey` CLI) may
//! change integrations in the same file while the server runs.
//!
//! Before each lookup, one dedicated connection runs `PRAGMA data_version`, which changes
//! exactly when another connection (of this process or another) has committed since its last
//! call; it reads the shared-memory WAL header, no table. Only then does it read `auth_epoch`,
//! the counter that migration 9's triggers move with every change a grant depends on, and only
//! a moved epoch empties the cache. So a request pays one cheap pragma while nothing changes,
//! and the first request that starts after another process committed a revocation sees it:
//! the pragma is read before the epoch (a commit in between only makes the next check look
//! again), and the cache is emptied before the lock on this connection is released, so no
//! concurrent request can pass the check and then read the old entry. Grants read from the
//! database before that emptying cannot be stored after it (see `GrantCache`'s tickets).
//! If the check fails (no `auth_epoch` table yet, an I/O error), the lookup bypasses the cache.
//!
//! The pragma itself is skipped while the WAL-index header (`wal_index.rs`) reads the same as
//! it did before the last full check: one `pread` instead of the pragma's file locks, and any
//! commit since, by any process, changes those bytes first.

use std::path::PathBuf;
use std::sync::Mutex;

use ivorey_store::grant_cache::GrantCache;
use r2d2::ManageConnection;
use rusqlite::Connection;

use crate::pool::ConnectionManager;
use crate::wal_index::WalIndexHeader;

/// The dedicated connection and what it saw last.
struct Seen {
    conn: Connection,
    data_version: i64,
    epoch: i64,
    /// `None` when the `-shm` file could not be opened: then every check runs the pragma.
    header: Option<WalIndexHeader>,
}

/// Watches the database for changes to integrations made through any connection.
pub(crate) struct EpochWatch {
    path: PathBuf,
    seen: Mutex<Option<Seen>>,
}

impl std::fmt::Debug for EpochWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpochWatch")
            .field("path", &self.path)
            .finish()
    }
}

impl EpochWatch {
    pub(crate) fn new(path: PathBuf) -> Self {
        EpochWatch {
            path,
            seen: Mutex::new(None),
        }
    }

    /// Brings `cache` up to every commit made before this call; `false` if it cannot tell,
    /// and then the cache must not be used for this lookup.
    pub(crate) fn refresh(&self, cache: &GrantCache) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let result = match seen.as_mut() {
            Some(s) => check(s, cache),
            None => self.open().map(|s| {
                // Whatever was cached before the watch (re)started is of unknown age.
                cache.clear();
                *seen = Some(s);
            }),
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "token cache freshness check failed; bypassing it");
                *seen = None;
                cache.clear();
                false
            }
        }
    }

    fn open(&self) -> rusqlite::Result<Seen> {
        let conn = ConnectionManager::new(self.path.clone()).connect()?;
        let data_version = data_version(&conn)?;
        let epoch = epoch(&conn)?;
        // The name SQLite resolved (symlinks, URIs), opened after the pragma's read, which
        // makes SQLite create the file in WAL mode.
        let header = conn
            .path()
            .and_then(|file| WalIndexHeader::open(std::path::Path::new(file)));
        Ok(Seen {
            conn,
            data_version,
            epoch,
            header,
        })
    }
}

fn check(seen: &mut Seen, cache: &GrantCache) -> rusqlite::Result<()> {
    // Read before the full check, so a commit after this read shows at the next one.
    let before = seen.header.as_ref().and_then(WalIndexHeader::read);
    if let (Some(header), Some(before)) = (&seen.header, &before)
        && header.unchanged(before)
    {
        return Ok(());
    }
    full_check(seen, cache)?;
    if let Some(header) = seen.header.as_mut() {
        match before {
            Some(before) => header.checked(before),
            None => header.forget(),
        }
    }
    Ok(())
}

fn full_check(seen: &mut Seen, cache: &GrantCache) -> rusqlite::Result<()> {
    let now = data_version(&seen.conn)?;
    if now != seen.data_version {
        let epoch = epoch(&seen.conn)?;
        if epoch != seen.epoch {
            cache.clear();
            seen.epoch = epoch;
        }
        seen.data_version = now;
    }
    Ok(())
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

fn epoch(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT value FROM auth_epoch WHERE id = 1")?
        .query_row([], |r| r.get(0))
}
