//! The shared store code's `Db` on a rusqlite connection (`SqlBackend` is in `backend.rs`).
//! Every call runs at once on the thread that holds the connection, so its future is ready.

use std::future::ready;

use ivorey_store::sql::{Db, DbFuture, Dialect, EachRow, Param, Sql};
#[cfg(test)]
use ivorey_store::sql::{Work, run_ready};
use ivorey_store::{StoreError, StoreResult};
use rusqlite::{CachedStatement, Connection, Statement};

use crate::error::{db_err, is_unique_violation};
use crate::row::SqliteRow;

/// A connection, borrowed mutably so that the work holding it is `Send`.
pub(crate) struct SqliteDb<'c>(pub(crate) &'c mut Connection);

/// The statement, prepared once per connection (rusqlite's statement cache).
fn prepared<'c>(conn: &'c Connection, sql: &Sql) -> StoreResult<CachedStatement<'c>> {
    conn.prepare_cached(sql.text(Dialect::Sqlite))
        .map_err(db_err)
}

/// Maps a statement's error as the shared code expects (see `Db`).
fn statement_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("record already exists")
    } else {
        db_err(e)
    }
}

fn bind(statement: &mut Statement<'_>, params: &[Param<'_>]) -> StoreResult<()> {
    for (i, param) in params.iter().enumerate() {
        let at = i + 1;
        match param {
            Param::Text(v) => statement.raw_bind_parameter(at, v),
            Param::Int(v) => statement.raw_bind_parameter(at, v),
            Param::Int32(v) => statement.raw_bind_parameter(at, v),
            Param::Bool(v) => statement.raw_bind_parameter(at, v),
            Param::Blob(v) => statement.raw_bind_parameter(at, v),
            Param::TextArray(_) | Param::IntArray(_) => {
                return Err(StoreError::Other(
                    "array parameters are PostgreSQL's".into(),
                ));
            }
        }
        .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) fn query(
    conn: &Connection,
    sql: &Sql,
    params: &[Param<'_>],
    each: &mut EachRow<'_>,
) -> StoreResult<()> {
    let mut statement = prepared(conn, sql)?;
    bind(&mut statement, params)?;
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next().map_err(statement_err)? {
        each(&SqliteRow(row))?;
    }
    Ok(())
}

pub(crate) fn execute(conn: &Connection, sql: &Sql, params: &[Param<'_>]) -> StoreResult<u64> {
    let mut statement = prepared(conn, sql)?;
    bind(&mut statement, params)?;
    let changed = statement.raw_execute().map_err(statement_err)?;
    Ok(changed as u64)
}

impl Db for SqliteDb<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn query<'a>(
        &'a mut self,
        sql: &'a Sql,
        params: &'a [Param<'a>],
        each: &'a mut EachRow<'_>,
    ) -> DbFuture<'a, ()> {
        Box::pin(ready(query(self.0, sql, params, each)))
    }

    fn execute<'a>(&'a mut self, sql: &'a Sql, params: &'a [Param<'a>]) -> DbFuture<'a, u64> {
        Box::pin(ready(execute(self.0, sql, params)))
    }
}

/// Runs `work` in one `BEGIN IMMEDIATE` transaction on `conn` (tests that write many rows at
/// once; the store's writes go through `group_commit`): this process's writes already
/// take turns on its one writing connection, so taking SQLite's write lock at the start costs
/// nothing and never fails mid-transaction on another process's lock (a deferred transaction
/// whose snapshot is stale cannot wait for it).
#[cfg(test)]
pub(crate) fn in_transaction<T>(conn: &mut Connection, work: Work<T>) -> StoreResult<T> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
    let outcome = run_ready(work(&mut SqliteDb(conn)));
    let end = match outcome {
        Ok(_) => conn.execute_batch("COMMIT"),
        Err(_) => conn.execute_batch("ROLLBACK"),
    };
    if let Err(e) = end {
        // A failed COMMIT leaves the transaction open; end it so the connection is reusable.
        let _ = conn.execute_batch("ROLLBACK");
        return Err(db_err(e));
    }
    outcome
}
