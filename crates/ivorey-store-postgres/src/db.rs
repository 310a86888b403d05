//! The shared store code's `Db` on a pooled connection or a transaction (`SqlBackend` is in
//! `backend.rs`). Statements are prepared once per connection (deadpool's statement cache),
//! so a call is one round trip; a `Sql::replanned` search is prepared at each call instead.

use deadpool_postgres::GenericClient;
use ivorey_store::StoreResult;
use ivorey_store::sql::{Db, DbFuture, Dialect, EachRow, Param, Sql};
use tokio_postgres::types::ToSql;

use crate::error::db_err;
use crate::row::PgRow;

/// A pooled connection or a transaction on one.
pub(crate) struct PgDb<'c, C: GenericClient>(pub(crate) &'c C);

fn values<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn ToSql + Sync) {
            match p {
                Param::Text(v) => v,
                Param::Int(v) => v,
                Param::Int32(v) => v,
                Param::Bool(v) => v,
                Param::Blob(v) => v,
                Param::TextArray(v) => v,
                Param::IntArray(v) => v,
            }
        })
        .collect()
}

impl<C: GenericClient> PgDb<'_, C> {
    async fn rows(&self, sql: &Sql, params: &[Param<'_>]) -> StoreResult<Vec<tokio_postgres::Row>> {
        let text = sql.text(Dialect::Postgres);
        let values = values(params);
        if sql.is_replanned() {
            // Not the statement cache: planned with these values (see `Sql::replanned`).
            return self.0.query(text, &values).await.map_err(db_err);
        }
        let statement = self.0.prepare_cached(text).await.map_err(db_err)?;
        self.0.query(&statement, &values).await.map_err(db_err)
    }
}

impl<C: GenericClient + Send> Db for PgDb<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn query<'a>(
        &'a mut self,
        sql: &'a Sql,
        params: &'a [Param<'a>],
        each: &'a mut EachRow<'_>,
    ) -> DbFuture<'a, ()> {
        Box::pin(async move {
            for row in &self.rows(sql, params).await? {
                each(&PgRow(row))?;
            }
            Ok(())
        })
    }

    fn execute<'a>(&'a mut self, sql: &'a Sql, params: &'a [Param<'a>]) -> DbFuture<'a, u64> {
        Box::pin(async move {
            let text = sql.text(Dialect::Postgres);
            let values = values(params);
            let statement = self.0.prepare_cached(text).await.map_err(db_err)?;
            self.0.execute(&statement, &values).await.map_err(db_err)
        })
    }
}
