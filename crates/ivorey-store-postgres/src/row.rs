//! Reading typed values out of rows: ids are re-validated and timestamps wrapped, so a bad
//! row surfaces as an error instead of a malformed domain value.

use ivorey_core::Timestamp;
use ivorey_store::StoreResult;
use ivorey_store::sql::{Row as SqlRow, corrupt as corrupt_value};
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

use crate::error::{corrupt, db_err};

pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> StoreResult<T> {
    row.try_get(column).map_err(db_err)
}

pub(crate) fn id<T: TryFrom<String>>(row: &Row, column: &str) -> StoreResult<T> {
    T::try_from(get::<String>(row, column)?).map_err(|_| corrupt("id"))
}

pub(crate) fn opt_ts(row: &Row, column: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<i64>>(row, column).map(|t| t.map(Timestamp))
}

/// A BIGINT count read back; the columns only ever hold sums of non-negative counts.
pub(crate) fn from_db_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A row of a tokio-postgres query, read through the shared `Row`.
pub(crate) struct PgRow<'r>(pub(crate) &'r tokio_postgres::Row);

impl PgRow<'_> {
    fn get<'r, T: FromSql<'r>>(&'r self, i: usize, what: &str) -> StoreResult<T> {
        self.0.try_get(i).map_err(|_| corrupt_value(what))
    }
}

impl SqlRow for PgRow<'_> {
    fn str(&self, i: usize) -> StoreResult<&str> {
        self.get(i, "text")
    }

    fn opt_str(&self, i: usize) -> StoreResult<Option<&str>> {
        self.get(i, "text")
    }

    fn int(&self, i: usize) -> StoreResult<i64> {
        self.get(i, "number")
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        self.get(i, "number")
    }

    fn int32(&self, i: usize) -> StoreResult<i32> {
        self.get(i, "number")
    }

    fn opt_int32(&self, i: usize) -> StoreResult<Option<i32>> {
        self.get(i, "number")
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        self.get(i, "flag")
    }

    fn blob(&self, i: usize) -> StoreResult<&[u8]> {
        self.get(i, "bytes")
    }
}
