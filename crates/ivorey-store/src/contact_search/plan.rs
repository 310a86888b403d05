//! A search or list request turned into its statements (`SearchPlan`), and which of them a
//! backend runs (`SearchSql`).

use ivorey_core::LocationId;
use ivorey_core::contact_search::{ContactSearch, Filter, SortField, SortValue, TOTAL_CAP};
use ivorey_core::contact_terms::query_words;

use super::builder::{Builder, Driver, sort_column, unindexed_sort};
use super::statement::{Placeholder, SqlParam, Statement};
use super::words;
use crate::records::ContactQuery;

/// A driven page is used below this many matches: sorting them costs less than walking the
/// sort index past the contacts that do not match.
pub const DRIVEN_PAGE_BELOW: u64 = 2_000;

/// The statements of one search that the posting index does not answer (see `postings`).
/// The backend runs `count` first, then `page_for(total)`, in one snapshot; after the posting
/// index reached the total's cap, only `scan_page`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSql {
    /// The matches, counted up to `TOTAL_CAP`.
    pub count: Statement,
    /// The page found by walking the sort order's index and testing each contact: quick when
    /// matches are common, since a page is found after few contacts.
    pub scan_page: Statement,
    /// The page found from the driving word's or tag's index rows, sorted afterwards: quick
    /// when matches are rare. None when the search has no word or tag to drive from.
    pub driven_page: Option<Statement>,
    /// Words alone in date order: the page's ids are found and sorted in the word index alone
    /// (its rows carry the contact's date), so it stays quick up to `TOTAL_CAP` matches. (For
    /// several words the posting index serves instead; this runs for them only in tests, past
    /// a lowered postings limit.)
    pub word_page: Option<Statement>,
    /// For words alone: the matching contacts' ids, repeats possible, in index order. Counting
    /// them distinct up to `TOTAL_CAP` gives `count`'s answer; a backend whose DISTINCT reads
    /// every row before answering (PostgreSQL's hash aggregate) streams these instead and stops
    /// at the cap.
    pub count_ids: Option<Statement>,
}

impl SearchSql {
    /// The page statement to run once the (capped) total is known.
    pub fn page_for(&self, total: u64) -> &Statement {
        match (&self.word_page, &self.driven_page) {
            (Some(word), _) if total < TOTAL_CAP => word,
            (_, Some(driven)) if total < DRIVEN_PAGE_BELOW => driven,
            _ => &self.scan_page,
        }
    }
}

/// A search or list request, ready to be turned into SQL. Built in two steps when the query
/// has several words: `word_counts` first (each word's index rows, counted up to a cap, in the
/// same snapshot), then `statements` with those counts, so the rarest word drives.
#[derive(Debug, Clone)]
pub struct SearchPlan {
    pub(super) location: String,
    pub(super) words: Option<Vec<String>>,
    pub(super) filters: Vec<Filter>,
    pub(super) sort: SortField,
    pub(super) descending: bool,
    pub(super) after: Option<(SqlParam, String)>,
    pub(super) offset: u64,
    pub(super) limit: u32,
    /// Each word's index rows, capped at `words::WORD_ROWS_CAP`, in the order of `words`
    /// (rarest first once `statements` has ranked them); empty until counted.
    pub(super) rows: Vec<u64>,
    /// The most matches read from the posting index (`postings`): `TOTAL_CAP` but in tests.
    pub(super) postings_limit: u64,
}

impl SearchPlan {
    /// The plan of a `POST /contacts/search` in `location`.
    pub fn for_search(location: &LocationId, search: &ContactSearch) -> SearchPlan {
        SearchPlan {
            location: location.as_str().to_owned(),
            words: search.query.as_deref().map(query_words),
            filters: search.filters.clone(),
            sort: search.sort,
            descending: search.descending,
            after: search.after.as_ref().map(|(value, id)| {
                let value = match value {
                    SortValue::At(at) => SqlParam::Int(at.millis()),
                    SortValue::Text(text) => SqlParam::Text(text.clone()),
                };
                (value, id.as_str().to_owned())
            }),
            offset: search.offset,
            limit: search.limit,
            rows: Vec::new(),
            postings_limit: TOTAL_CAP,
        }
    }

    /// The plan of a `GET /contacts/` page: oldest first, after the keyset cursor.
    pub fn for_list(location: &LocationId, query: &ContactQuery) -> SearchPlan {
        SearchPlan {
            location: location.as_str().to_owned(),
            words: query.query.as_deref().map(query_words),
            filters: Vec::new(),
            sort: SortField::DateAdded,
            descending: false,
            after: query
                .after
                .as_ref()
                .map(|(at, id)| (SqlParam::Int(at.millis()), id.clone())),
            offset: 0,
            limit: query.limit,
            rows: Vec::new(),
            postings_limit: TOTAL_CAP,
        }
    }

    /// Step one, for a query of two words or more: a statement giving one row with each
    /// word's index rows counted up to `words::WORD_ROWS_CAP`, in query order (BIGINT /
    /// INTEGER columns). None when there is nothing to choose between, or when an equality
    /// filter drives (its own index is narrower than any word's, see `driver`).
    pub fn word_counts(&self, placeholder: Placeholder) -> Option<Statement> {
        if self.has_equality() {
            return None;
        }
        match &self.words {
            Some(words) if words.len() > 1 => {
                Some(words::counts(&self.location, words, placeholder))
            }
            _ => None,
        }
    }

    /// Step two: the statements, with the rarest word (by `word_rows`, the answer of
    /// `word_counts`; empty when there was no step one) driving.
    pub fn statements(
        &self,
        columns: &str,
        placeholder: Placeholder,
        word_rows: &[u64],
    ) -> SearchSql {
        let mut ranked = self.clone();
        if let Some(words) = &self.words {
            let (words, rows) = words::rank(words, word_rows);
            ranked.words = Some(words);
            ranked.rows = rows;
        }
        ranked.build(columns, placeholder)
    }

    /// The rarest query word (ranked first), else the first tag a top-level filter requires.
    /// None when an equality filter is present: its own index is narrower still.
    fn driver(&self) -> Option<Driver> {
        if self.has_equality() {
            return None;
        }
        if let Some(words) = &self.words {
            return words.first().map(|w| Driver::Word(w.clone()));
        }
        self.filters.iter().find_map(|f| match f {
            Filter::HasTags(tags) => tags.first().map(|t| Driver::Tag(t.clone())),
            _ => None,
        })
    }

    /// A top-level email, phone or name equality filter is present.
    fn has_equality(&self) -> bool {
        self.filters.iter().any(|f| matches!(f, Filter::Equals(..)))
    }

    /// `tag` is the search's only condition (besides the location).
    fn only_tag(&self, tag: &str) -> bool {
        self.words.is_none()
            && matches!(self.filters.as_slice(), [Filter::HasTags(tags)] if tags.len() == 1 && tags[0] == tag)
    }

    /// The query's words when they are the search's only conditions.
    pub(super) fn words_only(&self) -> Option<&[String]> {
        match &self.words {
            Some(words) if !words.is_empty() && self.filters.is_empty() => Some(words),
            _ => None,
        }
    }

    /// Every condition on `contacts` but the location (words, then filters), without the
    /// driving word's when the rows come from that word's index already.
    fn conditions(&self, b: &mut Builder, driver: Option<&Driver>) -> Vec<String> {
        let mut out = Vec::new();
        let driving = match driver {
            Some(Driver::Word(w)) => Some(w),
            _ => None,
        };
        match &self.words {
            Some(words) if words.is_empty() => out.push("1 = 0".to_owned()),
            Some(words) => out.extend(
                words
                    .iter()
                    .filter(|w| Some(*w) != driving)
                    .map(|w| b.has_word(w)),
            ),
            None => {}
        }
        out.extend(self.filters.iter().map(|f| b.filter(f)));
        out
    }

    fn count(&self, placeholder: Placeholder, driver: Option<&Driver>) -> Statement {
        let mut b = Builder::new(placeholder);
        let inner = match driver {
            // Words alone: their index rows, no contact row read. A word may match two words
            // of one contact, hence DISTINCT; `|| ''` keeps SQLite from answering the DISTINCT
            // by walking the whole location in the by-contact index instead of the range.
            Some(Driver::Word(_)) if self.words_only().is_some() => {
                let words = self.words_only().unwrap_or_default();
                b.word_rows(
                    &self.location,
                    words,
                    &self.rows,
                    "DISTINCT d.contact_id || ''",
                )
            }
            // A tag row is unique per contact.
            Some(d @ Driver::Tag(tag)) if self.only_tag(tag) => b.driver_ids(&self.location, d),
            Some(d) => {
                let loc = b.text(&self.location);
                let ids = b.driver_ids(&self.location, d);
                let mut sql =
                    format!("SELECT 1 FROM contacts WHERE location_id = {loc} AND id IN ({ids})");
                for c in self.conditions(&mut b, Some(d)) {
                    sql.push_str(" AND ");
                    sql.push_str(&c);
                }
                sql
            }
            None => {
                let loc = b.text(&self.location);
                let mut sql = format!("SELECT 1 FROM contacts WHERE location_id = {loc}");
                for c in self.conditions(&mut b, None) {
                    sql.push_str(" AND ");
                    sql.push_str(&c);
                }
                sql
            }
        };
        let cap = b.int(TOTAL_CAP);
        b.finish(format!("SELECT COUNT(*) FROM ({inner} LIMIT {cap}) capped"))
    }

    /// The page found from the driver's rows (`driver`), or by walking the sort order's index
    /// (`None`). A walk finds the page's ids first and reads only their rows: PostgreSQL
    /// otherwise read the row of every contact it walked past (320 for the newest 20
    /// `garcia` at 1M contacts), where the ids alone come from the index.
    fn page(&self, placeholder: Placeholder, columns: &str, driver: Option<&Driver>) -> Statement {
        let mut b = Builder::new(placeholder);
        let loc = b.text(&self.location);
        let selected = if driver.is_some() { columns } else { "id" };
        let mut sql = format!("SELECT {selected} FROM contacts WHERE location_id = {loc}");
        if let Some(d) = driver {
            let ids = b.driver_ids(&self.location, d);
            sql.push_str(&format!(" AND id IN ({ids})"));
        }
        for c in self.conditions(&mut b, driver) {
            sql.push_str(" AND ");
            sql.push_str(&c);
        }
        let column = sort_column(self.sort);
        let (op, dir) = if self.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some((value, id)) = &self.after {
            let v = b.bind(value.clone());
            let i = b.text(id);
            sql.push_str(&format!(" AND ({column}, id) {op} ({v}, {i})"));
        }
        let order = if driver.is_some() {
            unindexed_sort(self.sort)
        } else {
            column
        };
        let limit = b.int(u64::from(self.limit));
        let offset = b.int(self.offset);
        sql.push_str(&format!(
            " ORDER BY {order} {dir}, id {dir} LIMIT {limit} OFFSET {offset}"
        ));
        if driver.is_none() {
            let outer = b.text(&self.location);
            let order = unindexed_sort(self.sort);
            sql = format!(
                "SELECT {columns} FROM contacts WHERE location_id = {outer} AND id IN ({sql}) \
                 ORDER BY {order} {dir}, id {dir}"
            );
        }
        b.finish(sql)
    }

    /// The page of a words-only query in date order: the (date, id) pairs of the words' index
    /// rows are sorted and cut there, and only the page's contacts are read.
    fn word_page(&self, placeholder: Placeholder, columns: &str, words: &[String]) -> Statement {
        let mut b = Builder::new(placeholder);
        let loc = b.text(&self.location);
        let matches = b.word_rows(
            &self.location,
            words,
            &self.rows,
            "DISTINCT d.date_added, d.contact_id",
        );
        let (op, dir) = if self.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let cursor = match &self.after {
            Some((value, id)) => {
                let v = b.bind(value.clone());
                let i = b.text(id);
                format!(" WHERE (date_added, contact_id) {op} ({v}, {i})")
            }
            None => String::new(),
        };
        let limit = b.int(u64::from(self.limit));
        let offset = b.int(self.offset);
        b.finish(format!(
            "SELECT {columns} FROM contacts WHERE location_id = {loc} AND id IN (\
             SELECT contact_id FROM (SELECT date_added, contact_id FROM ({matches}) m{cursor} \
             ORDER BY date_added {dir}, contact_id {dir} LIMIT {limit} OFFSET {offset}) page) \
             ORDER BY date_added + 0 {dir}, id {dir}"
        ))
    }

    fn build(&self, columns: &str, placeholder: Placeholder) -> SearchSql {
        let driver = self.driver();
        let word_page = match self.words_only() {
            Some(words) if self.sort == SortField::DateAdded => {
                Some(self.word_page(placeholder, columns, words))
            }
            _ => None,
        };
        let count_ids = self.words_only().map(|words| {
            let mut b = Builder::new(placeholder);
            let sql = b.word_rows(&self.location, words, &self.rows, "d.contact_id");
            b.finish(sql)
        });
        SearchSql {
            count_ids,
            count: self.count(placeholder, driver.as_ref()),
            scan_page: self.page(placeholder, columns, None),
            driven_page: driver
                .as_ref()
                .map(|d| self.page(placeholder, columns, Some(d))),
            word_page,
        }
    }
}
