//! A rusqlite row read through the shared store code's `Row`.

use ivorey_store::StoreResult;
use ivorey_store::sql::{Row, corrupt};
use rusqlite::types::ValueRef;

/// A row of a rusqlite query, read through the shared `Row`.
pub(crate) struct SqliteRow<'r, 's>(pub(crate) &'r rusqlite::Row<'s>);

fn cell<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> StoreResult<ValueRef<'r>> {
    row.get_ref(i).map_err(|_| corrupt("column"))
}

impl Row for SqliteRow<'_, '_> {
    fn str(&self, i: usize) -> StoreResult<&str> {
        cell(self.0, i)?.as_str().map_err(|_| corrupt("text"))
    }

    fn opt_str(&self, i: usize) -> StoreResult<Option<&str>> {
        cell(self.0, i)?
            .as_str_or_null()
            .map_err(|_| corrupt("text"))
    }

    fn int(&self, i: usize) -> StoreResult<i64> {
        self.0.get(i).map_err(|_| corrupt("number"))
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        self.0.get(i).map_err(|_| corrupt("number"))
    }

    fn int32(&self, i: usize) -> StoreResult<i32> {
        self.0.get(i).map_err(|_| corrupt("number"))
    }

    fn opt_int32(&self, i: usize) -> StoreResult<Option<i32>> {
        self.0.get(i).map_err(|_| corrupt("number"))
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        self.0.get(i).map_err(|_| corrupt("flag"))
    }

    fn blob(&self, i: usize) -> StoreResult<&[u8]> {
        cell(self.0, i)?.as_blob().map_err(|_| corrupt("bytes"))
    }
}
