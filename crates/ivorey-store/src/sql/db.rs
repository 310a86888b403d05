//! Running a statement (`Db`) and reading its rows (`Row`), as each backend's driver does it,
//! behind one interface the shared store code is written against.

use std::future::Future;
use std::pin::Pin;

use ivorey_core::Timestamp;
use ivorey_core::changed_by::ChangedBy;

use super::statement::{Dialect, Param, Sql};
use crate::{StoreError, StoreResult};

/// What a `Db` call returns: boxed, so `Db` can be a trait object the work is written over.
pub type DbFuture<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// Called once per row of a query, in order.
pub type EachRow<'a> = dyn FnMut(&dyn Row) -> StoreResult<()> + Send + 'a;

/// A connection (in a transaction when the work writes). Driver errors arrive mapped:
/// a unique violation is `Conflict("record already exists")` unless the backend knows the rule,
/// a foreign-key violation `NotFound`, lost connections and timeouts `Unavailable`.
pub trait Db: Send {
    fn dialect(&self) -> Dialect;

    /// Runs a query, handing each row to `each`.
    fn query<'a>(
        &'a mut self,
        sql: &'a Sql,
        params: &'a [Param<'a>],
        each: &'a mut EachRow<'_>,
    ) -> DbFuture<'a, ()>;

    /// Runs a statement; the number of rows it changed.
    fn execute<'a>(&'a mut self, sql: &'a Sql, params: &'a [Param<'a>]) -> DbFuture<'a, u64>;
}

impl dyn Db + '_ {
    /// Every row, decoded.
    pub async fn rows<T: Send>(
        &mut self,
        sql: &Sql,
        params: &[Param<'_>],
        decode: fn(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        let mut each = |row: &dyn Row| {
            out.push(decode(row)?);
            Ok(())
        };
        self.query(sql, params, &mut each).await?;
        Ok(out)
    }

    /// The first row, decoded, if there is one.
    pub async fn opt<T: Send>(
        &mut self,
        sql: &Sql,
        params: &[Param<'_>],
        decode: fn(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let mut out = None;
        let mut each = |row: &dyn Row| {
            if out.is_none() {
                out = Some(decode(row)?);
            }
            Ok(())
        };
        self.query(sql, params, &mut each).await?;
        Ok(out)
    }

    /// The one row the statement always returns (a count, `RETURNING`).
    pub async fn one<T: Send>(
        &mut self,
        sql: &Sql,
        params: &[Param<'_>],
        decode: fn(&dyn Row) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.opt(sql, params, decode)
            .await?
            .ok_or_else(|| StoreError::Other("a statement returned no row".into()))
    }

    /// Runs a statement that must change a row: `NotFound` when it changed none.
    pub async fn change(&mut self, sql: &Sql, params: &[Param<'_>]) -> StoreResult<()> {
        match self.execute(sql, params).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}

/// One row of a result, read by column position. Each getter fails on a NULL or a value of
/// another type (a corrupted or hand-edited row), never panics.
pub trait Row {
    fn str(&self, i: usize) -> StoreResult<&str>;
    fn opt_str(&self, i: usize) -> StoreResult<Option<&str>>;
    /// A `BIGINT` column.
    fn int(&self, i: usize) -> StoreResult<i64>;
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    /// An `INTEGER` column.
    fn int32(&self, i: usize) -> StoreResult<i32>;
    fn opt_int32(&self, i: usize) -> StoreResult<Option<i32>>;
    fn bool(&self, i: usize) -> StoreResult<bool>;
    fn blob(&self, i: usize) -> StoreResult<&[u8]>;
}

impl dyn Row + '_ {
    pub fn string(&self, i: usize) -> StoreResult<String> {
        self.str(i).map(str::to_owned)
    }

    pub fn opt_string(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.opt_str(i)?.map(str::to_owned))
    }

    /// A JSON text column.
    pub fn json<T: serde::de::DeserializeOwned>(&self, i: usize, what: &str) -> StoreResult<T> {
        serde_json::from_str(self.str(i)?).map_err(|_| corrupt(what))
    }
}

/// A value read from the database that no longer fits the domain (a corrupted or hand-edited
/// row).
pub fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("unreadable {what} in the database"))
}

/// An id column, re-validated.
pub fn id<T: TryFrom<String>>(row: &dyn Row, i: usize) -> StoreResult<T> {
    T::try_from(row.string(i)?).map_err(|_| corrupt("id"))
}

pub fn opt_id<T: TryFrom<String>>(row: &dyn Row, i: usize) -> StoreResult<Option<T>> {
    row.opt_string(i)?
        .map(|s| T::try_from(s).map_err(|_| corrupt("id")))
        .transpose()
}

/// An attribution column; text it cannot read is "unknown", not an error.
pub fn changed_by(row: &dyn Row, i: usize) -> StoreResult<Option<ChangedBy>> {
    Ok(row.opt_string(i)?.as_deref().and_then(ChangedBy::decode))
}

/// An attribution as its column stores it.
pub fn encoded(by: &Option<ChangedBy>) -> Option<String> {
    by.as_ref().map(ChangedBy::encode)
}

/// A Unix-milliseconds column.
pub fn ts(row: &dyn Row, i: usize) -> StoreResult<Timestamp> {
    row.int(i).map(Timestamp)
}

pub fn opt_ts(row: &dyn Row, i: usize) -> StoreResult<Option<Timestamp>> {
    Ok(row.opt_int(i)?.map(Timestamp))
}
