//! An r2d2 connection manager for rusqlite that sets the pragmas every connection needs.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Opens connections to one database file.
#[derive(Debug)]
pub(crate) struct ConnectionManager {
    path: PathBuf,
}

impl ConnectionManager {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }
}

/// How long a writer waits for another process's write before failing (then `Unavailable`).
const LOCK_WAIT: Duration = Duration::from_secs(5);

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // A writer waits for another process's write (e.g. a CLI command) instead of failing;
        // this process's writers queue on the store's write gate before that.
        conn.busy_timeout(LOCK_WAIT)?;
        // WAL lets readers run during a write; NORMAL sync is durable across process crashes
        // (a power loss may drop the last commits, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Under steady load some reader always uses the log, so it cannot start over and
        // grows; once it can, the file is cut back to 64 MiB rather than kept at its peak.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use r2d2::ManageConnection;

    use super::*;

    #[test]
    fn a_writer_waits_for_another_connections_write_and_then_commits() {
        let dir = tempfile::tempdir().unwrap();
        let manager = ConnectionManager::new(dir.path().join("busy.db"));
        let first = manager.connect().unwrap();
        first.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        first
            .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
            .unwrap();
        let holder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            first.execute_batch("COMMIT").unwrap();
        });
        let second = manager.connect().unwrap();
        second.execute("INSERT INTO t VALUES (2)", []).unwrap();
        holder.join().unwrap();
        let n: i64 = second
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
