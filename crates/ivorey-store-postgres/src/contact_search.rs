//! Contact search on PostgreSQL: runs the shared builder's statements with typed `$N`
//! placeholders (`$N::bigint`, `$N::text`), so no parameter type is left to inference.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::ContactSearch;
use ivorey_store::contact_search::{SearchSql, SqlParam, search_sql};
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::contacts::{COLUMNS, from_row};
use crate::error::db_err;
use crate::row::from_db_count;

pub(crate) fn placeholder(n: usize, param: &SqlParam) -> String {
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

/// The count, then the page it calls for, in one REPEATABLE READ transaction (one snapshot).
pub(crate) async fn run_search(
    store: &PgStore,
    sql: &SearchSql,
) -> StoreResult<(Vec<Contact>, u64)> {
    let mut client = store.client().await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(db_err)?;
    let row = tx
        .query_one(&sql.count.sql, &refs(&sql.count.params))
        .await
        .map_err(db_err)?;
    let total = from_db_count(row.try_get(0).map_err(db_err)?);
    let page = sql.page_for(total);
    let rows = tx
        .query(&page.sql, &refs(&page.params))
        .await
        .map_err(db_err)?;
    let contacts = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    tx.commit().await.map_err(db_err)?;
    Ok((contacts, total))
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
        let (contacts, total) = run_search(self, &sql).await?;
        Ok(ContactSearchPage { contacts, total })
    }
}
