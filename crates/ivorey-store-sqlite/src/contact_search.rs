//! Contact search on SQLite: runs the shared builder's statements with `?N` placeholders.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::ContactSearch;
use ivorey_core::contact_search::TOTAL_CAP;
use ivorey_store::contact_search::{PostingIndex, Postings, SearchPlan, SqlParam, Statement};
use ivorey_store::sql::contacts::CONTACT_COLUMNS as COLUMNS;
use ivorey_store::{ContactSearchPage, ContactSearchStore, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, Transaction, params_from_iter};

use crate::contacts::contact_from_row;
use crate::error::db_err;
use crate::store::SqliteStore;

fn placeholder(n: usize, _: &SqlParam) -> String {
    format!("?{n}")
}

fn values(params: &[SqlParam]) -> impl Iterator<Item = Value> + '_ {
    params.iter().map(|p| match p {
        SqlParam::Text(s) => Value::Text(s.clone()),
        SqlParam::Int(n) => Value::Integer(*n),
    })
}

/// How long one search may run before SQLite interrupts it (`Unavailable`, a 503). The
/// searches measured at 1,000,000 contacts take under 100 ms; a query of two very common
/// word prefixes could read millions of index rows on a blocking thread that the request
/// timeout does not stop.
const SEARCH_BUDGET: Duration = Duration::from_secs(2);

/// SQLite calls the budget check once per this many virtual-machine steps (a few
/// microseconds of work).
const STEPS_PER_CHECK: i32 = 1_000;

/// Several words alone in date order: their matches from the posting index, the page cut in
/// memory. Otherwise the words' counts, then the count and the page they call for. In one
/// read transaction (one snapshot), within the search budget. Statements are cached by their
/// text: a search's shape, not its values, decides the text.
pub(crate) fn run_search(
    conn: &mut Connection,
    plan: &SearchPlan,
) -> StoreResult<(Vec<Contact>, u64)> {
    run_search_within(conn, plan, SEARCH_BUDGET)
}

fn run_search_within(
    conn: &mut Connection,
    plan: &SearchPlan,
    budget: Duration,
) -> StoreResult<(Vec<Contact>, u64)> {
    let deadline = Instant::now() + budget;
    conn.progress_handler(STEPS_PER_CHECK, Some(move || Instant::now() >= deadline))
        .map_err(db_err)?;
    let budgeted = Budgeted(conn);
    search_in_snapshot(budgeted.0, plan)
}

/// A connection with the search budget's progress handler installed; the handler is removed
/// when this is dropped (also on an error or a panic), since the pooled connection serves
/// other reads next, which run without a budget.
struct Budgeted<'c>(&'c mut Connection);

impl Drop for Budgeted<'_> {
    fn drop(&mut self) {
        let _ = self
            .0
            .progress_handler(STEPS_PER_CHECK, None::<fn() -> bool>);
    }
}

fn search_in_snapshot(
    conn: &mut Connection,
    plan: &SearchPlan,
) -> StoreResult<(Vec<Contact>, u64)> {
    let tx = conn.transaction().map_err(db_err)?;
    let found = match from_postings(&tx, plan)? {
        Postings::Found(contacts, total) => (contacts, total),
        Postings::AtCap => {
            // As many matches as the total's cap: they are common, and walking the date
            // index finds a page of them after few contacts.
            let sql = plan.statements(COLUMNS, placeholder, &[]);
            (page(&tx, &sql.scan_page)?, TOTAL_CAP)
        }
        Postings::NotServed => counted(&tx, plan)?,
    };
    tx.commit().map_err(db_err)?;
    Ok(found)
}

/// The words' counts (several words), then the count and the page it calls for.
fn counted(tx: &Transaction<'_>, plan: &SearchPlan) -> StoreResult<(Vec<Contact>, u64)> {
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
    Ok((page(tx, sql.page_for(total))?, total))
}

fn page(tx: &Transaction<'_>, page: &Statement) -> StoreResult<Vec<Contact>> {
    let mut stmt = tx.prepare_cached(&page.sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params_from_iter(values(&page.params)), contact_from_row)
        .map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}

/// Several words alone in date order: the contacts matching them all, from the FTS5 index,
/// then the page's contacts read by id.
fn from_postings(tx: &Transaction<'_>, plan: &SearchPlan) -> StoreResult<Postings> {
    let Some(postings) = plan.word_postings(PostingIndex::Fts5, placeholder) else {
        return Ok(Postings::NotServed);
    };
    let mut matches = plan.matches();
    let mut stmt = tx.prepare_cached(&postings.sql).map_err(db_err)?;
    let mut rows = stmt
        .query(params_from_iter(values(&postings.params)))
        .map_err(db_err)?;
    while let Some(row) = rows.next().map_err(db_err)? {
        let id = row
            .get_ref(0)
            .and_then(|v| Ok(v.as_str()?))
            .map_err(db_err)?;
        if matches.matched(id, row.get(1).map_err(db_err)?).is_err() {
            return Ok(plan.past_limit());
        }
    }
    let page = plan.postings_page(matches);
    if page.ids.is_empty() {
        return Ok(Postings::Found(Vec::new(), page.total));
    }
    // Not cached: its text changes with the page's length, and would push the searches'
    // statements out of the connection's cache.
    let by_ids = plan.contacts_by_ids(COLUMNS, placeholder, &page.ids);
    let mut stmt = tx.prepare(&by_ids.sql).map_err(db_err)?;
    let contacts = stmt
        .query_map(params_from_iter(values(&by_ids.params)), contact_from_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    Ok(Postings::Found(contacts, page.total))
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

#[cfg(test)]
mod tests {
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::contact_search::SearchBody;
    use ivorey_core::{ContactId, LocationId, Timestamp};
    use ivorey_store::conformance::new_location;
    use ivorey_store::{ContactStore, StoreError};
    use serde_json::json;

    use super::*;

    /// Past a (lowered) limit of the posting index's matches the SQL statements run, and find
    /// the same page and total as the posting index.
    #[tokio::test]
    async fn past_the_postings_limit_the_statements_give_the_same_page() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("bound.db")).unwrap();
        store.migrate().await.unwrap();
        let (location, _) = new_location(&store, "Bound").await;
        for n in 0..40 {
            let name = if n % 3 == 0 { "Alpha Beta" } else { "Alpha" };
            store
                .insert_contact(&company(&location, n, name))
                .await
                .unwrap();
        }
        let search = serde_json::from_value::<SearchBody>(
            json!({"query": "alpha beta", "pageLimit": 3, "page": 2}),
        )
        .unwrap()
        .into_search()
        .unwrap();
        let plan = SearchPlan::for_search(&location, &search);
        let mut conn = store.pool.get().unwrap();
        assert!(
            plan.word_postings(PostingIndex::Fts5, placeholder)
                .is_some()
        );
        let in_memory = run_search(&mut conn, &plan).unwrap();
        let bounded = run_search(&mut conn, &plan.clone().with_postings_limit(5)).unwrap();
        let names = |found: &(Vec<Contact>, u64)| -> (Vec<String>, u64) {
            let names = found.0.iter().filter_map(|c| c.fields.first_name.clone());
            (names.collect(), found.1)
        };
        let want = (vec!["p00030".into(), "p00027".into(), "p00024".into()], 14);
        assert_eq!(names(&in_memory), want);
        assert_eq!(names(&bounded), want);

        // Past its time budget a search is interrupted: unavailable, not a driver error, and
        // the connection serves the next search without a budget left behind.
        // (The SQL statements: the posting index answers in fewer steps than one check's.)
        let bounded_plan = plan.clone().with_postings_limit(5);
        let late = run_search_within(&mut conn, &bounded_plan, Duration::ZERO);
        assert!(matches!(late, Err(StoreError::Unavailable(_))), "{late:?}");
        assert_eq!(names(&run_search(&mut conn, &bounded_plan).unwrap()), want);
    }

    fn company(location: &LocationId, n: i64, company: &str) -> Contact {
        Contact {
            created_by: None,
            updated_by: None,
            id: ContactId::generate(),
            location_id: location.clone(),
            fields: ContactFields {
                first_name: Some(format!("p{n:05}")),
                company_name: Some(company.into()),
                ..ContactFields::default()
            },
            date_added: Timestamp(1_000 + n),
            date_updated: Timestamp(1_000 + n),
        }
    }

    /// At `TOTAL_CAP` matches the posting index is read no further: the total is the cap, and
    /// the page (walking the date index) is the newest matches.
    #[tokio::test]
    async fn at_the_cap_the_newest_matches_page_from_the_date_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("cap.db")).unwrap();
        store.migrate().await.unwrap();
        let (location, _) = new_location(&store, "Cap").await;
        let many = TOTAL_CAP as i64 + 400;
        {
            let mut conn = store.pool.get().unwrap();
            let contacts: Vec<_> = (0..many)
                .map(|n| {
                    // One in fifty lacks the second word: the page skips them.
                    let name = if n % 50 == 3 { "Alpha" } else { "Alpha Beta" };
                    company(&location, n, name)
                })
                .collect();
            let write = ivorey_store::sql::work(move |db| {
                Box::pin(async move {
                    for c in &contacts {
                        crate::contacts::write_contact(db, c, true).await?;
                    }
                    Ok(())
                })
            });
            crate::db::in_transaction(&mut conn, write).unwrap();
        }
        let search = serde_json::from_value::<SearchBody>(
            json!({"query": "alpha beta", "pageLimit": 4, "page": 2}),
        )
        .unwrap()
        .into_search()
        .unwrap();
        let page = store.search_contacts(&location, &search).await.unwrap();
        assert_eq!(page.total, TOTAL_CAP);
        let newest: Vec<String> = (0..many)
            .rev()
            .filter(|n| n % 50 != 3)
            .skip(4)
            .take(4)
            .map(|n| format!("p{n:05}"))
            .collect();
        let names: Vec<String> = page
            .contacts
            .iter()
            .filter_map(|c| c.fields.first_name.clone())
            .collect();
        assert_eq!(names, newest);
    }

    /// A contact's delete takes its FTS5 row with it (the index is a virtual table, out of
    /// reach of the foreign keys): no orphan is left for the index to find.
    #[tokio::test]
    async fn a_deleted_contact_leaves_no_row_in_the_posting_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("orphan.db")).unwrap();
        store.migrate().await.unwrap();
        let (location, _) = new_location(&store, "Orphan").await;
        let c = company(&location, 1, "Zebra Works");
        store.insert_contact(&c).await.unwrap();
        let query = format!(
            "\"{}zebra\"*",
            ivorey_store::contact_search::fts5_location(location.as_str())
        );
        let rows = |conn: &Connection| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM contact_postings WHERE contact_postings MATCH ?1",
                [&query],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(rows(&store.pool.get().unwrap()), 1);
        store.delete_contact(&location, &c.id).await.unwrap();
        assert_eq!(rows(&store.pool.get().unwrap()), 0);
    }
}
