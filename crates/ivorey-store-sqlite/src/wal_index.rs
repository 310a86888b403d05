//! A cheap "has anything committed?" test for the token cache's freshness check: the WAL-index
//! header that every commit rewrites, read from the database's `-shm` file with one `pread`.
//!
//! The SQLite file format (section "WAL-Index Format") places two copies of a 48-byte header
//! at the start of the `-shm` file; a commit increments its change counter and rewrites both
//! copies, with its frame count, salts and checksums, before the commit returns. The file is
//! shared memory that SQLite maps, so a plain read sees what any process last wrote. So if the
//! 96 bytes read now equal those read before an earlier full check, no connection of any
//! process has committed since that read, and the full check (`PRAGMA data_version`, which
//! takes file locks: several system calls per request) can be skipped. Any difference,
//! including a read torn by a writer mid-update or a checkpoint that restarted the WAL, only
//! sends the caller to the full check, so this shortcut can make a check slower, never wrong.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Both copies of the WAL-index header.
const HEADER_BYTES: usize = 96;

/// The `-shm` file of one database and the header bytes of the last full check.
#[derive(Debug)]
pub(crate) struct WalIndexHeader {
    shm: File,
    checked: Option<[u8; HEADER_BYTES]>,
}

impl WalIndexHeader {
    /// Opens `<database>-shm` read-only; `None` when there is none (not in WAL mode, or the
    /// database is not open), and callers then always run the full check.
    pub(crate) fn open(database: &Path) -> Option<Self> {
        let mut name = database.as_os_str().to_owned();
        name.push("-shm");
        let shm = File::open(name).ok()?;
        Some(WalIndexHeader { shm, checked: None })
    }

    /// Reads the header now. `None` if it cannot be read whole (e.g. a file not yet sized).
    pub(crate) fn read(&self) -> Option<[u8; HEADER_BYTES]> {
        let mut header = [0u8; HEADER_BYTES];
        self.shm.read_exact_at(&mut header, 0).ok()?;
        Some(header)
    }

    /// Whether `now` equals the header read before the last full check: nothing committed.
    pub(crate) fn unchanged(&self, now: &[u8; HEADER_BYTES]) -> bool {
        self.checked.as_ref() == Some(now)
    }

    /// Records the header read before a full check that succeeded.
    pub(crate) fn checked(&mut self, before: [u8; HEADER_BYTES]) {
        self.checked = Some(before);
    }

    /// Forgets the last check (the next test then always runs the full check).
    pub(crate) fn forget(&mut self) {
        self.checked = None;
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn wal_db(dir: &Path) -> (std::path::PathBuf, Connection) {
        let path = dir.join("wal.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        (path, conn)
    }

    #[test]
    fn every_commit_of_another_connection_changes_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = wal_db(dir.path());
        let mut watch = WalIndexHeader::open(&path).expect("a WAL database has a -shm file");
        let mut before = watch.read().unwrap();
        watch.checked(before);
        for i in 0..50 {
            assert!(watch.unchanged(&watch.read().unwrap()), "nothing committed");
            // Another process would do the same through its own connection.
            let other = Connection::open(&path).unwrap();
            other.execute("INSERT INTO t VALUES (?1)", [i]).unwrap();
            let now = watch.read().unwrap();
            assert!(!watch.unchanged(&now), "commit {i} went unnoticed");
            watch.checked(now);
            before = now;
        }
        // A checkpoint that restarts the WAL also reads as a change, never as "unchanged".
        writer
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_ne!(watch.read().unwrap(), before);
    }

    #[test]
    fn a_database_without_shm_has_no_watch() {
        let dir = tempfile::tempdir().unwrap();
        assert!(WalIndexHeader::open(&dir.path().join("none.db")).is_none());
    }

    #[test]
    fn a_forgotten_check_is_never_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _writer) = wal_db(dir.path());
        let mut watch = WalIndexHeader::open(&path).unwrap();
        let now = watch.read().unwrap();
        assert!(!watch.unchanged(&now), "no check yet");
        watch.checked(now);
        assert!(watch.unchanged(&now));
        watch.forget();
        assert!(!watch.unchanged(&now));
    }
}
