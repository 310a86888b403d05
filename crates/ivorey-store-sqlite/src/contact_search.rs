//! Contact search on SQLite: runs the shared builder's statements with `?N` placeholders.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact_search::ContactSearch;
use ivorey_store::contact_search::{SqlParam, search_sql};
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::contacts::contact_from_row;
use crate::{SqliteStore, db_err};

fn values(params: Vec<SqlParam>) -> Vec<Value> {
    params
        .into_iter()
        .map(|p| match p {
            SqlParam::Text(s) => Value::Text(s),
            SqlParam::Int(n) => Value::Integer(n),
        })
        .collect()
}

#[async_trait]
impl ContactSearchStore for SqliteStore {
    async fn search_contacts(
        &self,
        location: &LocationId,
        search: &ContactSearch,
    ) -> StoreResult<ContactSearchPage> {
        let sql = search_sql(
            location,
            search,
            "id, location_id, data, date_added, date_updated",
            |n, _| format!("?{n}"),
        );
        self.call(move |conn| {
            // One read transaction: the page and the total see the same snapshot.
            let tx = conn.transaction().map_err(db_err)?;
            let contacts = {
                let mut stmt = tx.prepare(&sql.page).map_err(db_err)?;
                let rows = stmt
                    .query_map(params_from_iter(values(sql.page_params)), contact_from_row)
                    .map_err(db_err)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?
            };
            let total: i64 = tx
                .prepare(&sql.count)
                .map_err(db_err)?
                .query_row(params_from_iter(values(sql.count_params)), |r| r.get(0))
                .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(ContactSearchPage {
                contacts,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }
}
