//! Contact imports from CSV files: the job and its rows, stored when the file is uploaded, then
//! applied by a worker in batches. Each batch's contact writes, its rows' outcomes and the job's
//! counters commit in one transaction, so a crash loses no record and applies no row twice; a
//! lease (owner and expiry) keeps one node on a job.

use async_trait::async_trait;
use ivorey_core::contact::Contact;
use ivorey_core::ids::ImportId;
use ivorey_core::{LocationId, Timestamp, UserId};

use crate::error::StoreResult;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    /// Uploaded; the user is choosing which column goes to which field.
    Mapping,
    /// Started: a worker applies its rows (or will, once a node claims it).
    Queued,
    /// Every row has its outcome.
    Done,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Mapping => "mapping",
            ImportStatus::Queued => "queued",
            ImportStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        match s {
            "mapping" => Some(ImportStatus::Mapping),
            "queued" => Some(ImportStatus::Queued),
            "done" => Some(ImportStatus::Done),
            _ => None,
        }
    }
}

/// One import job.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactImport {
    pub id: ImportId,
    pub location_id: LocationId,
    /// Who uploaded the file: the changer of every contact the import writes.
    pub user_id: UserId,
    pub file_name: String,
    /// The file's column names, in order.
    pub header: Vec<String>,
    /// One target per column (`""`: not imported); `None` until the import is started.
    pub mapping: Option<Vec<String>>,
    pub status: ImportStatus,
    pub total_rows: u64,
    /// Rows applied, in file order: the next batch starts at row `done_rows + 1`.
    pub done_rows: u64,
    pub created: u64,
    pub updated: u64,
    pub refused: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A row's cells as the JSON array stored for it (made once at upload, so a 100,000-row file
/// is held as one string per row, not one per cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRow(String);

impl EncodedRow {
    pub fn of<S: AsRef<str> + serde::Serialize>(cells: &[S]) -> EncodedRow {
        EncodedRow(serde_json::to_string(cells).unwrap_or_else(|_| "[]".into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored row, waiting for its outcome. `number` is 1 for the first row after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub number: u64,
    pub cells: Vec<String>,
}

/// What applying a row does.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Created(Contact),
    Updated(Contact),
    Refused(String),
}

/// A row's outcome, to be written with its batch.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedRow {
    pub number: u64,
    pub outcome: RowOutcome,
}

/// A refused row: its number, its cells as uploaded and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    pub number: u64,
    pub cells: Vec<String>,
    pub reason: String,
}

/// Contact imports. A job of another location is absent (`None` / `NotFound`).
#[async_trait]
pub trait ContactImportStore {
    /// Stores the job (status `Mapping`) and every row of its file, in one transaction.
    async fn create_import(&self, import: &ContactImport, rows: Vec<EncodedRow>)
    -> StoreResult<()>;
    async fn get_import(
        &self,
        location: &LocationId,
        id: &ImportId,
    ) -> StoreResult<Option<ContactImport>>;
    /// The location's imports, newest first, at most `limit`.
    async fn list_imports(
        &self,
        location: &LocationId,
        limit: u32,
    ) -> StoreResult<Vec<ContactImport>>;
    /// The job's rows after row `after`, in order, at most `limit`.
    async fn import_rows(
        &self,
        location: &LocationId,
        id: &ImportId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<ImportRow>>;
    /// Saves the mapping and queues the job; `NotFound` if absent, `Conflict` if it was
    /// already started.
    async fn start_import(
        &self,
        location: &LocationId,
        id: &ImportId,
        mapping: &[String],
        now: Timestamp,
    ) -> StoreResult<ContactImport>;
    /// Leases the oldest queued job whose lease is free (absent, ended before `now`, or
    /// already `owner`'s) to `owner` until `until`. Several nodes never hold one job at once.
    async fn claim_import(
        &self,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<ContactImport>>;
    /// In one transaction: writes each row's contact and outcome, adds them to the job's
    /// counters, moves `done_rows` past the last row (marking the job done at its total) and
    /// renews the lease until `until`. `Conflict` (nothing written) if `owner` no longer holds
    /// the lease or another worker moved the job past `import.done_rows` meanwhile.
    async fn apply_import_batch(
        &self,
        import: &ContactImport,
        owner: &str,
        rows: Vec<AppliedRow>,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<ContactImport>;
    /// The job's refused rows after row `after`, in order, at most `limit`.
    async fn refused_import_rows(
        &self,
        location: &LocationId,
        id: &ImportId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RefusedRow>>;
}
