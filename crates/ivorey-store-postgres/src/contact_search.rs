//! Contact search on PostgreSQL: runs the shared builder's statements with typed `$N`
//! placeholders (`$N::bigint`, `$N::text`), so no parameter type is left to inference.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact_search::ContactSearch;
use ivorey_store::contact_search::{SqlParam, search_sql};
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::contacts::{COLUMNS, from_row};
use crate::error::db_err;
use crate::row::from_db_count;

fn placeholder(n: usize, param: &SqlParam) -> String {
    match param {
        SqlParam::Text(_) => format!("${n}::text"),
        SqlParam::Int(_) => format!("${n}::bigint"),
    }
}

fn refs(params: &[SqlParam]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            SqlParam::Text(s) => s as &(dyn ToSql + Sync),
            SqlParam::Int(n) => n as &(dyn ToSql + Sync),
        })
        .collect()
}

#[async_trait]
impl ContactSearchStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn search_contacts(
        &self,
        location: &LocationId,
        search: &ContactSearch,
    ) -> StoreResult<ContactSearchPage> {
        let sql = search_sql(location, search, COLUMNS, placeholder);
        let mut client = self.client().await?;
        // REPEATABLE READ: the page and the total see the same snapshot.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db_err)?;
        let rows = tx
            .query(&sql.page, &refs(&sql.page_params))
            .await
            .map_err(db_err)?;
        let contacts = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        let row = tx
            .query_one(&sql.count, &refs(&sql.count_params))
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(ContactSearchPage {
            contacts,
            total: from_db_count(row.try_get(0).map_err(db_err)?),
        })
    }
}
