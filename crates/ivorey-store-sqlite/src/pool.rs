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

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // A writer waits for another process's write (e.g. a CLI command) instead of failing.
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL lets readers run during a write; NORMAL sync is durable across process crashes
        // (a power loss may drop the last commits, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
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
