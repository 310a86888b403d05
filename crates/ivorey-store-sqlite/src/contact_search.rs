//! Contact search on SQLite: runs the shared builder's statements with `?N` placeholders.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::ContactSearch;
use ivorey_store::contact_search::{SearchPlan, SqlParam, Statement};
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::contacts::contact_from_row;
use crate::{SqliteStore, db_err};

/// The columns `contact_from_row` reads.
const COLUMNS: &str = "id, location_id, data, date_added, date_updated";

fn placeholder(n: usize, _: &SqlParam) -> String {
    format!("?{n}")
}

fn values(params: &[SqlParam]) -> impl Iterator<Item = Value> + '_ {
    params.iter().map(|p| match p {
        SqlParam::Text(s) => Value::Text(s.clone()),
        SqlParam::Int(n) => Value::Integer(*n),
    })
}

/// The words' counts (several words), the count, then the page it calls for, in one read
/// transaction (one snapshot). Statements are cached by their text: a search's shape, not its
/// values, decides the text.
pub(crate) fn run_search(
    conn: &mut Connection,
    plan: &SearchPlan,
) -> StoreResult<(Vec<Contact>, u64)> {
    let tx = conn.transaction().map_err(db_err)?;
    let word_rows = match plan.word_counts(placeholder) {
        Some(counts) => tx
            .prepare_cached(&counts.sql)
            .map_err(db_err)?
            .query_row(params_from_iter(values(&counts.params)), |r| {
                (0..r.as_ref().column_count())
                    .map(|i| r.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0)))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(db_err)?,
        None => Vec::new(),
    };
    let sql = plan.statements(COLUMNS, placeholder, &word_rows);
    let total: i64 = tx
        .prepare_cached(&sql.count.sql)
        .map_err(db_err)?
        .query_row(params_from_iter(values(&sql.count.params)), |r| r.get(0))
        .map_err(db_err)?;
    let total = u64::try_from(total).unwrap_or(0);
    let Statement { sql: page, params } = sql.page_for(total);
    let contacts = {
        let mut stmt = tx.prepare_cached(page).map_err(db_err)?;
        let rows = stmt
            .query_map(params_from_iter(values(params)), contact_from_row)
            .map_err(db_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?
    };
    tx.commit().map_err(db_err)?;
    Ok((contacts, total))
}

#[async_trait]
impl ContactSearchStore for SqliteStore {
    async fn search_contacts(
        &self,
        location: &LocationId,
        search: &ContactSearch,
    ) -> StoreResult<ContactSearchPage> {
        let plan = SearchPlan::for_search(location, search);
        self.read(move |conn| {
            let (contacts, total) = run_search(conn, &plan)?;
            Ok(ContactSearchPage { contacts, total })
        })
        .await
    }
}
