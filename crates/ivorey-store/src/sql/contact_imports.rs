//! Contact imports (migration 17): the job row, its file's rows, and the batch that writes
//! contacts, outcomes and counters in one transaction. Rows are inserted and their outcomes
//! written one statement per row on SQLite (in process, prepared once) and as one `unnest`
//! statement per chunk on PostgreSQL (one round trip instead of thousands). The claim takes
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, as the outbox does; SQLite's write lock serialises
//! claimers already. A batch's contacts are written with `write_contacts` (fewer statements
//! than one write per contact on both backends).

use async_trait::async_trait;
use ivorey_core::contact::Contact;
use ivorey_core::ids::ImportId;
use ivorey_core::{LocationId, Timestamp};

use super::{Db, Dialect, Param, Row, Sql, SqlBackend, corrupt, id, opt_ts, ts, work};
use crate::{
    AppliedRow, ContactImport, ContactImportStore, ContactWrite, EncodedRow, ImportRow,
    ImportStatus, RefusedRow, RowOutcome, StoreError, StoreResult, params, run,
};

macro_rules! columns {
    () => {
        "id, location_id, user_id, file_name, header, mapping, status, total_rows, done_rows,
         created, updated, refused, created_at, updated_at, finished_at"
    };
}

/// Rows per PostgreSQL insert statement.
const INSERT_CHUNK: usize = 2_000;

static CREATE: Sql = Sql::new(
    "INSERT INTO contact_imports (id, location_id, user_id, file_name, header, status,
         total_rows, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'mapping', $6, $7, $7)",
);
static INSERT_ROW: Sql =
    Sql::new("INSERT INTO contact_import_rows (import_id, row_number, cells) VALUES ($1, $2, $3)");
static INSERT_ROWS_POSTGRES: Sql = Sql::new(
    "INSERT INTO contact_import_rows (import_id, row_number, cells)
     SELECT $1, n, cells FROM unnest($2::bigint[], $3::text[]) AS u(n, cells)",
);
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM contact_imports WHERE id = $1 AND location_id = $2"
));
static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM contact_imports WHERE location_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
));
static ROWS: Sql = Sql::new(
    "SELECT r.row_number, r.cells FROM contact_import_rows r
     JOIN contact_imports i ON i.id = r.import_id
     WHERE r.import_id = $1 AND i.location_id = $2 AND r.row_number > $3
     ORDER BY r.row_number LIMIT $4",
);
static REFUSED: Sql = Sql::new(
    "SELECT r.row_number, r.cells, r.reason FROM contact_import_rows r
     JOIN contact_imports i ON i.id = r.import_id
     WHERE r.import_id = $1 AND i.location_id = $2 AND r.row_number > $3
       AND r.outcome = 'refused'
     ORDER BY r.row_number LIMIT $4",
);
static START: Sql = Sql::new(concat!(
    "UPDATE contact_imports SET mapping = $3, status = 'queued', updated_at = $4
     WHERE id = $1 AND location_id = $2 AND status = 'mapping' RETURNING ",
    columns!()
));

/// Leases the oldest queued job whose lease is free to `$1` until `$3` (`$2` now).
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE contact_imports SET lease_owner = $1, lease_until = $3
             WHERE id = (SELECT id FROM contact_imports
                 WHERE status = 'queued'
                   AND (lease_until IS NULL OR lease_until < $2 OR lease_owner = $1)
                 ORDER BY created_at, id LIMIT 1",
            $lock,
            ") RETURNING ",
            columns!()
        )
    };
}
static CLAIM_SQLITE: Sql = Sql::new(claim!(""));
static CLAIM_POSTGRES: Sql = Sql::new(claim!(" FOR UPDATE SKIP LOCKED"));

/// The batch's guard and counters at once: only the lease holder, only from where it read.
/// It runs first, so on PostgreSQL the job's row is locked before any contact is written.
static ADVANCE: Sql = Sql::new(concat!(
    "UPDATE contact_imports SET done_rows = $4, created = created + $5, updated = updated + $6,
         refused = refused + $7, updated_at = $8, lease_until = $9,
         status = CASE WHEN $4 >= total_rows THEN 'done' ELSE status END,
         finished_at = CASE WHEN $4 >= total_rows THEN $8 ELSE finished_at END
     WHERE id = $1 AND lease_owner = $2 AND done_rows = $3 AND status = 'queued' RETURNING ",
    columns!()
));
static OUTCOME: Sql = Sql::new(
    "UPDATE contact_import_rows SET outcome = $3, reason = $4, contact_id = $5
     WHERE import_id = $1 AND row_number = $2",
);
static OUTCOMES_POSTGRES: Sql = Sql::new(
    "UPDATE contact_import_rows r SET outcome = u.outcome, reason = NULLIF(u.reason, ''),
         contact_id = NULLIF(u.contact, '')
     FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
         AS u(n, outcome, reason, contact)
     WHERE r.import_id = $1 AND r.row_number = u.n",
);

fn count(row: &dyn Row, i: usize) -> StoreResult<u64> {
    u64::try_from(row.int(i)?).map_err(|_| corrupt("import counter"))
}

fn import(row: &dyn Row) -> StoreResult<ContactImport> {
    let mapping: Option<String> = row.opt_string(5)?;
    Ok(ContactImport {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        user_id: id(row, 2)?,
        file_name: row.string(3)?,
        header: row.json(4, "import header")?,
        mapping: mapping
            .map(|m| serde_json::from_str(&m).map_err(|_| corrupt("import mapping")))
            .transpose()?,
        status: ImportStatus::parse(row.str(6)?).ok_or_else(|| corrupt("import status"))?,
        total_rows: count(row, 7)?,
        done_rows: count(row, 8)?,
        created: count(row, 9)?,
        updated: count(row, 10)?,
        refused: count(row, 11)?,
        created_at: ts(row, 12)?,
        updated_at: ts(row, 13)?,
        finished_at: opt_ts(row, 14)?,
    })
}

fn import_row(row: &dyn Row) -> StoreResult<ImportRow> {
    Ok(ImportRow {
        number: count(row, 0)?,
        cells: row.json(1, "import row")?,
    })
}

fn refused_row(row: &dyn Row) -> StoreResult<RefusedRow> {
    Ok(RefusedRow {
        number: count(row, 0)?,
        cells: row.json(1, "import row")?,
        reason: row.opt_string(2)?.unwrap_or_default(),
    })
}

fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Inserts the file's rows, numbered from 1.
async fn insert_rows(db: &mut dyn Db, id: &ImportId, rows: &[EncodedRow]) -> StoreResult<()> {
    match db.dialect() {
        Dialect::Sqlite => {
            for (i, row) in rows.iter().enumerate() {
                let p = params![id, big(i as u64 + 1), row.as_str()];
                db.execute(&INSERT_ROW, p).await?;
            }
        }
        Dialect::Postgres => {
            for (c, chunk) in rows.chunks(INSERT_CHUNK).enumerate() {
                let first = (c * INSERT_CHUNK) as i64 + 1;
                let numbers: Vec<i64> = (first..).take(chunk.len()).collect();
                let cells: Vec<String> = chunk.iter().map(|r| r.as_str().to_owned()).collect();
                let p = params![id, Param::IntArray(&numbers), Param::TextArray(&cells)];
                db.execute(&INSERT_ROWS_POSTGRES, p).await?;
            }
        }
    }
    Ok(())
}

/// (outcome, reason, contact id) of an applied row, as stored.
fn outcome_columns(row: &AppliedRow) -> (&'static str, &str, &str) {
    match &row.outcome {
        RowOutcome::Created(c) => ("created", "", c.id.as_str()),
        RowOutcome::Updated(c) => ("updated", "", c.id.as_str()),
        RowOutcome::Refused(reason) => ("refused", reason.as_str(), ""),
    }
}

async fn write_outcomes(db: &mut dyn Db, id: &ImportId, rows: &[AppliedRow]) -> StoreResult<()> {
    match db.dialect() {
        Dialect::Sqlite => {
            for row in rows {
                let (outcome, reason, contact) = outcome_columns(row);
                let reason = (!reason.is_empty()).then_some(reason);
                let contact = (!contact.is_empty()).then_some(contact);
                let p = params![id, big(row.number), outcome, reason, contact];
                db.execute(&OUTCOME, p).await?;
            }
        }
        Dialect::Postgres => {
            let numbers: Vec<i64> = rows.iter().map(|r| big(r.number)).collect();
            let mut outcomes = Vec::with_capacity(rows.len());
            let mut reasons = Vec::with_capacity(rows.len());
            let mut contacts = Vec::with_capacity(rows.len());
            for row in rows {
                let (outcome, reason, contact) = outcome_columns(row);
                outcomes.push(outcome.to_owned());
                reasons.push(reason.to_owned());
                contacts.push(contact.to_owned());
            }
            let p = params![
                id,
                Param::IntArray(&numbers),
                Param::TextArray(&outcomes),
                Param::TextArray(&reasons),
                Param::TextArray(&contacts)
            ];
            db.execute(&OUTCOMES_POSTGRES, p).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl<B: SqlBackend> ContactImportStore for B {
    async fn create_import(&self, i: &ContactImport, rows: Vec<EncodedRow>) -> StoreResult<()> {
        let header = serde_json::to_string(&i.header)
            .map_err(|e| StoreError::Other(format!("encoding import header: {e}")))?;
        let i = i.clone();
        // Built by hand rather than with `run!`, which would copy the rows once more.
        self.write(work(move |db| {
            Box::pin(async move {
                let p = params![
                    &i.id,
                    &i.location_id,
                    &i.user_id,
                    &i.file_name,
                    &header,
                    big(i.total_rows),
                    i.created_at
                ];
                db.execute(&CREATE, p).await?;
                insert_rows(db, &i.id, &rows).await
            })
        }))
        .await
    }

    async fn get_import(
        &self,
        location: &LocationId,
        id: &ImportId,
    ) -> StoreResult<Option<ContactImport>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET, params![&id, &location], import).await
        })
    }

    async fn list_imports(
        &self,
        location: &LocationId,
        limit: u32,
    ) -> StoreResult<Vec<ContactImport>> {
        run!(self.read, [location], |db| {
            db.rows(&LIST, params![&location, i64::from(limit)], import)
                .await
        })
    }

    async fn import_rows(
        &self,
        location: &LocationId,
        id: &ImportId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<ImportRow>> {
        run!(self.read, [location, id], |db| {
            let p = params![&id, &location, big(after), i64::from(limit)];
            db.rows(&ROWS, p, import_row).await
        })
    }

    async fn start_import(
        &self,
        location: &LocationId,
        id: &ImportId,
        mapping: &[String],
        now: Timestamp,
    ) -> StoreResult<ContactImport> {
        let mapping = serde_json::to_string(mapping)
            .map_err(|e| StoreError::Other(format!("encoding import mapping: {e}")))?;
        run!(self.write, [location, id, mapping], |db| {
            let p = params![&id, &location, &mapping, now];
            match db.opt(&START, p, import).await? {
                Some(started) => Ok(started),
                None => match db.opt(&GET, params![&id, &location], import).await? {
                    Some(_) => Err(StoreError::Conflict("the import was already started")),
                    None => Err(StoreError::NotFound),
                },
            }
        })
    }

    async fn claim_import(
        &self,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<ContactImport>> {
        run!(self.write, [owner], |db| {
            let claim = match db.dialect() {
                Dialect::Sqlite => &CLAIM_SQLITE,
                Dialect::Postgres => &CLAIM_POSTGRES,
            };
            db.opt(claim, params![&owner, now, until], import).await
        })
    }

    async fn apply_import_batch(
        &self,
        i: &ContactImport,
        owner: &str,
        rows: Vec<AppliedRow>,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<ContactImport> {
        let theirs = |c: &Contact| c.location_id != i.location_id;
        let elsewhere = rows.iter().any(|r| match &r.outcome {
            RowOutcome::Created(c) | RowOutcome::Updated(c) => theirs(c),
            RowOutcome::Refused(_) => false,
        });
        if elsewhere {
            return Err(StoreError::NotFound);
        }
        let (id, from, total, owner) = (i.id.clone(), i.done_rows, i.total_rows, owner.to_owned());
        self.write(work(move |db| {
            Box::pin(async move {
                let (mut created, mut updated, mut refused) = (0i64, 0i64, 0i64);
                for row in &rows {
                    match &row.outcome {
                        RowOutcome::Created(_) => created += 1,
                        RowOutcome::Updated(_) => updated += 1,
                        RowOutcome::Refused(_) => refused += 1,
                    }
                }
                // No rows left to read means every row was applied: the job is done.
                let to = rows.last().map_or(total, |r| r.number.max(from));
                let p = params![
                    &id,
                    &owner,
                    big(from),
                    big(to),
                    created,
                    updated,
                    refused,
                    now,
                    until
                ];
                let Some(advanced) = db.opt(&ADVANCE, p, import).await? else {
                    return Err(StoreError::Conflict("the import's lease was lost"));
                };
                // In file order: a contact created and then updated by a later row of the
                // batch ends as the later row left it.
                let writes: Vec<ContactWrite> = rows
                    .iter()
                    .filter_map(|r| match &r.outcome {
                        RowOutcome::Created(c) => Some(ContactWrite::Insert(c.clone())),
                        RowOutcome::Updated(c) => Some(ContactWrite::Update(c.clone())),
                        RowOutcome::Refused(_) => None,
                    })
                    .collect();
                B::write_contacts(db, &writes).await?;
                write_outcomes(db, &id, &rows).await?;
                Ok(advanced)
            })
        }))
        .await
    }

    async fn refused_import_rows(
        &self,
        location: &LocationId,
        id: &ImportId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<RefusedRow>> {
        run!(self.read, [location, id], |db| {
            let p = params![&id, &location, big(after), i64::from(limit)];
            db.rows(&REFUSED, p, refused_row).await
        })
    }
}
