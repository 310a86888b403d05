//! The shared store code's `Db` on a pooled connection or a transaction, and `SqlBackend` for
//! `PgStore`. Fixed statements are prepared once per connection (deadpool's statement cache),
//! so a call is one round trip.

use deadpool_postgres::GenericClient;
use ivorey_core::TokenHash;
use ivorey_core::access::TokenGrant;
use ivorey_core::contact::Contact;
use ivorey_store::StoreResult;
use ivorey_store::contact_search::SearchPlan;
use ivorey_store::grant_cache::GrantCache;
use ivorey_store::sql::{
    Db, DbFuture, Dialect, EachRow, Param, Row, Sql, SqlBackend, Work, corrupt,
};
use tokio_postgres::types::{FromSql, ToSql};

use crate::PgStore;
use crate::contact_search::run_search;
use crate::error::db_err;

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
        if sql.is_fixed() {
            let statement = self.0.prepare_cached(text).await.map_err(db_err)?;
            self.0.query(&statement, &values).await
        } else {
            self.0.query(text, &values).await
        }
        .map_err(db_err)
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
            if sql.is_fixed() {
                let statement = self.0.prepare_cached(text).await.map_err(db_err)?;
                self.0.execute(&statement, &values).await
            } else {
                self.0.execute(text, &values).await
            }
            .map_err(db_err)
        })
    }
}

/// A row of a tokio-postgres query, read through the shared `Row`.
pub(crate) struct PgRow<'r>(pub(crate) &'r tokio_postgres::Row);

impl PgRow<'_> {
    fn get<'r, T: FromSql<'r>>(&'r self, i: usize, what: &str) -> StoreResult<T> {
        self.0.try_get(i).map_err(|_| corrupt(what))
    }
}

impl Row for PgRow<'_> {
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

impl SqlBackend for PgStore {
    fn read<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(async move {
            let client = self.client().await?;
            work(&mut PgDb(&client)).await
        })
    }

    fn lookup<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        self.read(work)
    }

    fn write<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db_err)?;
            let out = work(&mut PgDb(&tx)).await?;
            tx.commit().await.map_err(db_err)?;
            Ok(out)
        })
    }

    fn index_contact<'c>(db: &'c mut dyn Db, contact: &'c Contact) -> DbFuture<'c, ()> {
        crate::contacts::index_contact(db, contact)
    }

    fn find_contacts(&self, plan: SearchPlan) -> DbFuture<'_, (Vec<Contact>, u64)> {
        Box::pin(async move { run_search(self, &plan).await })
    }

    fn token_grant<'a>(&'a self, hash: &'a TokenHash) -> DbFuture<'a, Option<TokenGrant>> {
        Box::pin(crate::tokens::cached_grant(self, hash))
    }

    fn grants(&self) -> &GrantCache {
        &self.grants
    }
}
