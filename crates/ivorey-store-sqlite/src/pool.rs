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

/// How long a writer waits for the write lock before failing (then `Unavailable`, 503).
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, while a contact
/// write holds the lock for about half a millisecond: under concurrent writes the lock sat
/// idle while writers slept, and some slept for a second (p99). Short pauses first keep the
/// lock busy; the pause grows to 1 ms so a long wait (another process's big transaction)
/// costs little CPU. Returns whether to try again.
fn wait_for_write_lock(tries: i32) -> bool {
    const SHORT: Duration = Duration::from_micros(50);
    const MEDIUM: Duration = Duration::from_micros(250);
    const LONG: Duration = Duration::from_millis(1);
    // 20 short and 80 medium pauses are 21 ms; the long ones make up the rest.
    let long_tries = ((LOCK_WAIT - SHORT * 20 - MEDIUM * 80).as_millis()) as i32;
    let pause = match tries {
        0..20 => SHORT,
        20..100 => MEDIUM,
        _ if tries < 100 + long_tries => LONG,
        _ => return false,
    };
    std::thread::sleep(pause);
    true
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(&self.path, flags)?;
        // A writer waits for another write (this process's or a CLI command's) instead of
        // failing, for about `LOCK_WAIT` in all.
        conn.busy_handler(Some(wait_for_write_lock))?;
        // WAL lets readers run during a write; NORMAL sync is durable across process crashes
        // (a power loss may drop the last commits, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Under steady load some reader always uses the log, so it cannot start over and
        // grows; once it can, the file is cut back to 64 MiB rather than kept at its peak.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(64);
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
    use std::time::Instant;

    use r2d2::ManageConnection;

    use super::*;

    #[test]
    fn the_lock_wait_ends_after_about_five_seconds_of_pauses() {
        assert!(wait_for_write_lock(0));
        assert!(wait_for_write_lock(5_078), "the last 1 ms pause");
        let started = Instant::now();
        assert!(!wait_for_write_lock(5_079), "gives up");
        assert!(
            started.elapsed() < Duration::from_millis(1),
            "without sleeping"
        );
    }

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
