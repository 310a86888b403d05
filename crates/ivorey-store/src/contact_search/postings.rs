//! Several query words alone, in date order: the contacts matching every word come from a
//! posting-list index (SQLite FTS5, a PostgreSQL GIN index over a `tsvector`), one row per
//! contact holding all its words, and the count and the page are cut in memory. Intersecting
//! the words' rows of `contact_terms` instead read every row of every word: 104,000 rows for
//! `olga lopez` at 1M contacts, 11 ms of SQLite stepping or an 18 ms hash join on PostgreSQL,
//! where a posting index intersects compressed lists.
//!
//! Each indexed word carries its location, so a word's list holds one location's contacts: a
//! search never reads another location's postings, and a location never finds another's
//! contact through them.

use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{SortField, TOTAL_CAP};
use ivorey_core::ids::ID_LEN;

use super::builder::Builder;
use super::plan::SearchPlan;
use super::statement::{Placeholder, SqlParam, Statement};

/// The posting index a backend keeps, and so the statement that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingIndex {
    /// SQLite: the FTS5 table `contact_postings` (ASCII tokenizer, no positions, prefix
    /// indexes), its rowid a key of `contact_posting_keys`, which holds the contact's id and
    /// date.
    Fts5,
    /// PostgreSQL: a GIN index over `contact_posting_lexemes(location_id, terms)` of
    /// `contact_postings`, which holds the contact's id, date and words.
    Gin,
}

/// Word prefixes up to this many characters have their own lists (FTS5's prefix indexes,
/// PostgreSQL's prefix lexemes; both migrations 13 write this number): a query word this
/// short reads one list, where a prefix query merges the list of every word it starts
/// (`lopez` starts thousands, `lopez12` in emails).
pub const PREFIX_CHARS: usize = 8;

/// The FTS5 token prefix that keeps a location's words apart from another's: the location
/// id in lowercase hex (the ASCII tokenizer folds ASCII case, and ids are mixed-case), always
/// 40 characters, so no location's token is a prefix of another's.
pub fn fts5_location(location: &str) -> String {
    hex::encode(location)
}

/// A contact's indexed words (`contact_terms`) as FTS5's document: the tokens separated by
/// spaces (a word holds letters and digits only, which the ASCII tokenizer keeps whole,
/// non-ASCII ones included).
pub fn fts5_document<'t>(location: &str, terms: impl IntoIterator<Item = &'t String>) -> String {
    let prefix = fts5_location(location);
    let tokens: Vec<String> = terms.into_iter().map(|t| format!("{prefix}{t}")).collect();
    tokens.join(" ")
}

/// The index query matching contacts with a word starting with each of `words`. Query words
/// are runs of letters and digits (`contact_terms::query_words`): no ASCII punctuation, so
/// none can end an FTS5 string or a tsquery lexeme early, or split into two tokens (a phrase,
/// which a `detail = none` table refuses). The escaping below is a second guard.
fn match_query(index: PostingIndex, location: &str, words: &[String]) -> String {
    debug_assert!(
        words.iter().all(|w| w
            .bytes()
            .all(|b| !b.is_ascii() || b.is_ascii_alphanumeric())),
        "{words:?}"
    );
    let each: Vec<String> = match index {
        // A quoted string then `*`: a prefix query (quotes doubled inside); FTS5 reads the
        // prefix index of the string's length (in characters) when it has one.
        PostingIndex::Fts5 => {
            let prefix = fts5_location(location);
            words
                .iter()
                .map(|w| format!("\"{prefix}{}\"*", w.replace('"', "\"\"")))
                .collect()
        }
        // A quoted lexeme (quote and backslash escaped): a short word's prefix lexeme, or a
        // prefix match (`:*`) of the words (see migration 13's `contact_posting_lexemes`).
        // Short is counted in bytes: the lexemes' prefixes are cut in characters in a UTF-8
        // database but in bytes in a single-byte one, and a word of at most 8 bytes has the
        // same prefix lexeme in both.
        PostingIndex::Gin => words
            .iter()
            .map(|w| {
                let short = w.len() <= PREFIX_CHARS;
                let w = w.replace('\\', "\\\\").replace('\'', "''");
                if short {
                    format!("'{location}>{w}'")
                } else {
                    format!("'{location}:{w}':*")
                }
            })
            .collect(),
    };
    each.join(match index {
        PostingIndex::Fts5 => " AND ",
        PostingIndex::Gin => " & ",
    })
}

/// A contact id stored inline: no allocation per match.
type Key = [u8; ID_LEN];

/// The contacts the posting index matched, with their dates, up to the plan's limit.
#[derive(Debug)]
pub struct Matches {
    rows: Vec<(i64, Key)>,
    limit: u64,
}

/// The index gave as many matches as the limit: the in-memory page is abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitReached;

impl Matches {
    /// One matching contact. An id that is not one (never written by the store) matches nothing.
    pub fn matched(&mut self, contact_id: &str, date_added: i64) -> Result<(), LimitReached> {
        if let Ok(key) = Key::try_from(contact_id.as_bytes()) {
            self.rows.push((date_added, key));
        }
        if self.rows.len() as u64 >= self.limit {
            return Err(LimitReached);
        }
        Ok(())
    }
}

/// The page cut from the posting index's matches: its contacts' ids in the page's order, and
/// the total.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingsPage {
    pub ids: Vec<String>,
    pub total: u64,
}

/// What the posting index gave a search.
#[derive(Debug, Clone, PartialEq)]
pub enum Postings {
    /// The page's contacts and the total.
    Found(Vec<Contact>, u64),
    /// At least `TOTAL_CAP` matches: the total is the cap, and the page is found by walking
    /// the date index (`SearchSql::scan_page`: quick, as matches are common).
    AtCap,
    /// Not a search the index serves, or (tests) past a lowered limit: the SQL statements
    /// count and page as without the index.
    NotServed,
}

impl SearchPlan {
    /// Words alone (two or more) in date order: what the posting index serves.
    fn posting_words(&self) -> Option<&[String]> {
        let words = self.words_only()?;
        (words.len() > 1 && self.sort == SortField::DateAdded).then_some(words)
    }

    /// The statement giving `(contact_id, date_added)` for each contact of the location with
    /// a word starting with each query word, at most `postings_limit` rows; None when the
    /// plan is not several words alone in date order.
    pub fn word_postings(
        &self,
        index: PostingIndex,
        placeholder: Placeholder,
    ) -> Option<Statement> {
        let words = self.posting_words()?;
        let mut b = Builder::new(placeholder);
        let query = b.text(&match_query(index, &self.location, words));
        let loc = b.text(&self.location);
        let limit = b.int(self.postings_limit);
        let sql = match index {
            // CROSS JOIN keeps the FTS5 table outermost (SQLite does not reorder it): the
            // matches drive, one key lookup each, not a walk of the location's keys.
            PostingIndex::Fts5 => format!(
                "SELECT k.contact_id, k.date_added FROM contact_postings p \
                 CROSS JOIN contact_posting_keys k ON k.key = p.rowid \
                 WHERE contact_postings MATCH {query} AND k.location_id = {loc} LIMIT {limit}"
            ),
            PostingIndex::Gin => format!(
                "SELECT contact_id, date_added FROM contact_postings \
                 WHERE contact_posting_lexemes(location_id, terms) @@ {query}::tsquery \
                 AND location_id = {loc} LIMIT {limit}"
            ),
        };
        Some(b.finish(sql))
    }

    /// An empty set of matches to feed `word_postings`' rows to.
    pub fn matches(&self) -> Matches {
        Matches {
            rows: Vec::new(),
            limit: self.postings_limit,
        }
    }

    /// What the search gets once the posting index gave as many matches as the limit.
    pub fn past_limit(&self) -> Postings {
        if self.postings_limit >= TOTAL_CAP {
            Postings::AtCap
        } else {
            Postings::NotServed
        }
    }

    /// The page of `matches` (fewer than the limit), after the cursor and offset, in date
    /// order, and their number as the total.
    pub fn postings_page(&self, matches: Matches) -> PostingsPage {
        let total = (matches.rows.len() as u64).min(TOTAL_CAP);
        let after = match &self.after {
            Some((SqlParam::Int(date), id)) => Some((*date, id.as_bytes())),
            _ => None,
        };
        let mut rows: Vec<(i64, Key)> = matches
            .rows
            .into_iter()
            .filter(|(date, key)| match after {
                Some(cursor) if self.descending => (*date, &key[..]) < cursor,
                Some(cursor) => (*date, &key[..]) > cursor,
                None => true,
            })
            .collect();
        if self.descending {
            rows.sort_unstable_by(|a, b| b.cmp(a));
        } else {
            rows.sort_unstable();
        }
        let ids = rows
            .into_iter()
            .skip(usize::try_from(self.offset).unwrap_or(usize::MAX))
            .take(self.limit as usize)
            .map(|(_, key)| String::from_utf8_lossy(&key).into_owned())
            .collect();
        PostingsPage { ids, total }
    }

    /// The contacts with `ids` (a page's, in its order), read in the page's order.
    pub fn contacts_by_ids(
        &self,
        columns: &str,
        placeholder: Placeholder,
        ids: &[String],
    ) -> Statement {
        let mut b = Builder::new(placeholder);
        let loc = b.text(&self.location);
        let list: Vec<String> = ids.iter().map(|id| b.text(id)).collect();
        let dir = if self.descending { "DESC" } else { "ASC" };
        b.finish(format!(
            "SELECT {columns} FROM contacts WHERE location_id = {loc} AND id IN ({}) \
             ORDER BY date_added + 0 {dir}, id {dir}",
            list.join(", ")
        ))
    }

    /// Reads at most `rows` matches from the posting index (tests: the SQL statements past it).
    pub fn with_postings_limit(mut self, rows: u64) -> SearchPlan {
        self.postings_limit = rows;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact_search::tests::{assert_bound, numbered, plan};
    use serde_json::json;

    fn id(n: u32) -> String {
        format!("{n:020}")
    }

    #[test]
    fn only_several_words_alone_in_date_order_read_the_postings() {
        let two = plan(json!({"query": "olga lopez"}));
        for index in [PostingIndex::Fts5, PostingIndex::Gin] {
            let statement = two.word_postings(index, numbered).unwrap();
            assert_bound(&statement);
            assert!(statement.params.contains(&SqlParam::Int(TOTAL_CAP as i64)));
        }
        assert!(
            plan(json!({"query": "olga"}))
                .word_postings(PostingIndex::Fts5, numbered)
                .is_none()
        );
        let by_name = plan(json!({"query": "olga lopez",
            "sort": [{"field": "firstNameLowerCase", "direction": "asc"}]}));
        assert!(by_name.word_postings(PostingIndex::Gin, numbered).is_none());
        let filtered = plan(json!({"query": "olga lopez",
            "filters": [{"field": "tags", "operator": "contains", "value": ["vip"]}]}));
        assert!(
            filtered
                .word_postings(PostingIndex::Fts5, numbered)
                .is_none()
        );
    }

    #[test]
    fn each_word_is_a_prefix_query_within_its_location() {
        let words = vec![
            "olga".to_owned(),
            "lópez".to_owned(),
            "lopez1234".to_owned(),
        ];
        assert_eq!(
            match_query(PostingIndex::Fts5, "Ab", &words),
            "\"4162olga\"* AND \"4162lópez\"* AND \"4162lopez1234\"*"
        );
        // Up to `PREFIX_CHARS` bytes: a prefix lexeme; longer: a prefix match of the words.
        assert_eq!(
            match_query(PostingIndex::Gin, "Ab", &words),
            "'Ab>olga' & 'Ab>lópez' & 'Ab:lopez1234':*"
        );
        let long = vec!["ñññññ".to_owned()];
        assert_eq!(match_query(PostingIndex::Gin, "Ab", &long), "'Ab:ñññññ':*");
        // Two locations differing in case only get different tokens on FTS5.
        assert_ne!(fts5_location("ab"), fts5_location("AB"));
        assert_eq!(fts5_location("Ab").len(), 4);
        assert_eq!(
            fts5_document("L", &["ada".to_owned(), "1".to_owned()]),
            "4cada 4c1"
        );
    }

    #[test]
    fn the_matches_page_newest_first_after_the_cursor() {
        let search = plan(json!({"query": "a b", "pageLimit": 2, "page": 2}));
        let mut m = search.matches();
        for n in [1, 2, 3, 5] {
            m.matched(&id(n), i64::from(n) * 10).unwrap();
        }
        m.matched("not an id", 99).unwrap();
        let page = search.postings_page(m);
        assert_eq!(page.total, 4);
        // Newest first: 5, 3 | 2, 1.
        assert_eq!(page.ids, vec![id(2), id(1)]);

        let after = plan(json!({"query": "a b", "pageLimit": 5, "searchAfter": [30, id(3)]}));
        let mut m = after.matches();
        for n in 0..6 {
            m.matched(&id(n), i64::from(n) * 10).unwrap();
        }
        assert_eq!(after.postings_page(m).ids, vec![id(2), id(1), id(0)]);
    }

    #[test]
    fn the_limit_abandons_the_in_memory_page() {
        let search = plan(json!({"query": "a b"}));
        assert_eq!(search.past_limit(), Postings::AtCap);
        let bounded = search.with_postings_limit(2);
        assert_eq!(bounded.past_limit(), Postings::NotServed);
        let mut m = bounded.matches();
        m.matched(&id(1), 1).unwrap();
        assert_eq!(m.matched(&id(2), 2), Err(LimitReached));
    }
}
