//! Contact search on PostgreSQL: runs the shared builder's statements with typed `$N`
//! placeholders (`$N::bigint`, `$N::text`), so no parameter type is left to inference.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::ContactSearch;
use std::collections::HashSet;

use deadpool_postgres::Transaction;
use futures_util::TryStreamExt;
use ivorey_core::contact_search::TOTAL_CAP;
use ivorey_store::contact_search::{PostingIndex, Postings, SearchPlan, SqlParam, Statement};
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use tokio_postgres::types::ToSql;

use crate::contacts::{COLUMNS, from_row};
use crate::error::db_err;
use crate::row::from_db_count;
use crate::store::PgStore;

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

/// How long one search's statements may run (each, in this transaction): 2 s, as on SQLite.
const SEARCH_BUDGET: &str = "SET LOCAL statement_timeout = 2000";

/// How many ids a portal fetch brings at a time.
const BATCH: i32 = 4_096;

/// The distinct ids of `ids`, counted up to `TOTAL_CAP`: fetched through a portal in batches
/// and stopped at the cap, where `SELECT COUNT(*) FROM (SELECT DISTINCT ...)` would make
/// PostgreSQL hash every matching row first (a common word has tens of thousands).
async fn count_distinct(tx: &Transaction<'_>, ids: &Statement) -> StoreResult<u64> {
    let statement = tx.prepare(&ids.sql).await.map_err(db_err)?;
    let portal = tx
        .bind(&statement, &refs(&ids.params))
        .await
        .map_err(db_err)?;
    let mut seen = HashSet::new();
    loop {
        let rows = tx.query_portal(&portal, BATCH).await.map_err(db_err)?;
        for row in &rows {
            seen.insert(row.try_get::<_, String>(0).map_err(db_err)?);
            if seen.len() as u64 >= TOTAL_CAP {
                return Ok(TOTAL_CAP);
            }
        }
        if rows.len() < BATCH as usize {
            return Ok(seen.len() as u64);
        }
    }
}

/// Several words alone in date order: the contacts matching them all, from the GIN index
/// (streamed, the LIMIT bounding the rows), then the page's contacts read by id.
async fn from_postings(tx: &Transaction<'_>, plan: &SearchPlan) -> StoreResult<Postings> {
    let Some(postings) = plan.word_postings(PostingIndex::Gin, placeholder) else {
        return Ok(Postings::NotServed);
    };
    let mut matches = plan.matches();
    let rows = tx
        .query_raw(postings.sql.as_str(), refs(&postings.params))
        .await
        .map_err(db_err)?;
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.try_next().await.map_err(db_err)? {
        let id = row.try_get::<_, &str>(0).map_err(db_err)?;
        if matches
            .matched(id, row.try_get(1).map_err(db_err)?)
            .is_err()
        {
            return Ok(plan.past_limit());
        }
    }
    let page = plan.postings_page(matches);
    if page.ids.is_empty() {
        return Ok(Postings::Found(Vec::new(), page.total));
    }
    let by_ids = plan.contacts_by_ids(COLUMNS, placeholder, &page.ids);
    let rows = tx
        .query(&by_ids.sql, &refs(&by_ids.params))
        .await
        .map_err(db_err)?;
    let contacts = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(Postings::Found(contacts, page.total))
}

/// Several words alone in date order: their matches from the posting index, the page cut in
/// memory. Otherwise the words' counts, the count and the page they call for. In one
/// REPEATABLE READ transaction (one snapshot).
pub(crate) async fn run_search(
    store: &PgStore,
    plan: &SearchPlan,
) -> StoreResult<(Vec<Contact>, u64)> {
    let mut client = store.client().await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(db_err)?;
    // As on SQLite: a search past its budget is cancelled (QUERY_CANCELED: `Unavailable`)
    // rather than left reading millions of index rows after its request has timed out.
    tx.batch_execute(SEARCH_BUDGET).await.map_err(db_err)?;
    let found = match from_postings(&tx, plan).await? {
        Postings::Found(contacts, total) => (contacts, total),
        Postings::AtCap => {
            // As many matches as the total's cap: they are common, and walking the date
            // index finds a page of them after few contacts.
            let sql = plan.statements(COLUMNS, placeholder, &[]);
            (page(&tx, &sql.scan_page).await?, TOTAL_CAP)
        }
        Postings::NotServed => counted(&tx, plan).await?,
    };
    tx.commit().await.map_err(db_err)?;
    Ok(found)
}

/// The words' counts (several words), then the count and the page it calls for.
async fn counted(tx: &Transaction<'_>, plan: &SearchPlan) -> StoreResult<(Vec<Contact>, u64)> {
    let word_rows = match plan.word_counts(placeholder) {
        Some(counts) => {
            let row = tx
                .query_one(&counts.sql, &refs(&counts.params))
                .await
                .map_err(db_err)?;
            (0..row.len())
                .map(|i| row.try_get::<_, i64>(i).map(from_db_count))
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?
        }
        None => Vec::new(),
    };
    let sql = plan.statements(COLUMNS, placeholder, &word_rows);
    let total = match &sql.count_ids {
        Some(ids) => count_distinct(tx, ids).await?,
        None => {
            let row = tx
                .query_one(&sql.count.sql, &refs(&sql.count.params))
                .await
                .map_err(db_err)?;
            from_db_count(row.try_get(0).map_err(db_err)?)
        }
    };
    Ok((page(tx, sql.page_for(total)).await?, total))
}

async fn page(tx: &Transaction<'_>, page: &Statement) -> StoreResult<Vec<Contact>> {
    let rows = tx
        .query(&page.sql, &refs(&page.params))
        .await
        .map_err(db_err)?;
    rows.iter().map(from_row).collect()
}

#[async_trait]
impl ContactSearchStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn search_contacts(
        &self,
        location: &LocationId,
        search: &ContactSearch,
    ) -> StoreResult<ContactSearchPage> {
        let plan = SearchPlan::for_search(location, search);
        let (contacts, total) = run_search(self, &plan).await?;
        Ok(ContactSearchPage { contacts, total })
    }
}
