//! Reading typed values out of rows: ids are re-validated and timestamps wrapped, so a bad
//! row surfaces as an error instead of a malformed domain value.

use ivorey_core::Timestamp;
use ivorey_store::StoreResult;
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
