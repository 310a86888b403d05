//! Several common query words intersected in memory, once per request: each word's index rows
//! are read once (the driver's with their dates), and the count and the page both come from
//! the contacts left. Done in SQL, the intersection ran twice (once for the count, once for
//! the page), each time through a temporary index: 51 ms for `olga lopez` at 1M contacts.

use std::collections::{HashMap, HashSet};

use ivorey_core::contact_search::{SortField, TOTAL_CAP};
use ivorey_core::ids::ID_LEN;

use super::words::{WORD_ROWS_CAP, read_once};
use super::{Builder, Placeholder, SearchPlan, SqlParam, Statement};

/// A word whose index range (on PostgreSQL: the join) gives more rows than this is not read
/// into memory (the SQL statements run instead): about 20 ms of reading on SQLite, and at
/// most about 20 MiB per search while it runs (two words' rows as read and the hash).
pub const READ_BOUND: u64 = 200_000;

/// The statements of an in-memory intersection, each limited to one row past the read
/// bound: one per word (`SearchPlan::word_scan`, rows to `Matches::row`) or one join of them
/// all (`SearchPlan::word_join`, rows to `Matches::matched`).
#[derive(Debug, Clone, PartialEq)]
pub struct WordScan {
    pub statements: Vec<Statement>,
    read_bound: u64,
}

impl WordScan {
    /// An empty intersection to feed the words' rows to, in order.
    pub fn matches(&self) -> Matches {
        Matches {
            state: State::First(Vec::new()),
            word: 0,
            read: 0,
            read_bound: self.read_bound,
        }
    }
}

/// A word's range held more rows than the read bound: the intersection is abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyRows;

/// A contact id stored inline: no allocation per row.
type Key = [u8; ID_LEN];

/// The contacts matching every word fed so far, with their dates.
#[derive(Debug)]
pub struct Matches {
    state: State,
    /// The current word's position in the scan.
    word: u32,
    read: u64,
    read_bound: u64,
}

/// The first two words' rows are kept as read, so that the smaller side is the one hashed:
/// the word counts stop at 10,000 and cannot tell which is. (`olga lopez` at 1M contacts:
/// 27,000 and 77,000 rows; hashing the larger side first took 10 ms more.)
#[derive(Debug)]
enum State {
    First(Vec<(Key, i64)>),
    Second {
        first: Vec<(Key, i64)>,
        second: Vec<Key>,
    },
    /// Contact -> (date added, the last word that matched it).
    Left(HashMap<Key, (i64, u32)>),
}

impl Matches {
    /// One index row of the current word. Rows with an id that is not one (never written by
    /// the store) match nothing.
    pub fn row(&mut self, contact_id: &str, date_added: i64) -> Result<(), TooManyRows> {
        let Some(key) = self.count_row(contact_id)? else {
            return Ok(());
        };
        match &mut self.state {
            State::First(rows) => rows.push((key, date_added)),
            State::Second { second, .. } => second.push(key),
            State::Left(contacts) => {
                if let Some(entry) = contacts.get_mut(&key) {
                    entry.1 = self.word;
                }
            }
        }
        Ok(())
    }

    /// One row of `SearchPlan::word_join`'s statement: a contact every word matched (repeats possible). Not
    /// mixed with `row`.
    pub fn matched(&mut self, contact_id: &str, date_added: i64) -> Result<(), TooManyRows> {
        let Some(key) = self.count_row(contact_id)? else {
            return Ok(());
        };
        if let State::First(_) = self.state {
            self.state = State::Left(HashMap::new());
        }
        if let State::Left(contacts) = &mut self.state {
            contacts.insert(key, (date_added, self.word));
        }
        Ok(())
    }

    /// Counts a row against the read bound; its id as a key, None when it is not an id.
    fn count_row(&mut self, contact_id: &str) -> Result<Option<Key>, TooManyRows> {
        self.read += 1;
        if self.read > self.read_bound {
            return Err(TooManyRows);
        }
        Ok(Key::try_from(contact_id.as_bytes()).ok())
    }

    /// The current word's rows are all fed: only the contacts it matched stay.
    pub fn end_word(&mut self) {
        let word = self.word;
        self.state = match std::mem::replace(&mut self.state, State::First(Vec::new())) {
            State::First(first) => State::Second {
                first,
                second: Vec::new(),
            },
            State::Second { first, second } => State::Left(both(first, second, word)),
            State::Left(mut contacts) => {
                contacts.retain(|_, (_, last)| *last == word);
                State::Left(contacts)
            }
        };
        self.word += 1;
        self.read = 0;
    }

    /// No contact is left: the remaining words need not be read.
    pub fn is_empty(&self) -> bool {
        match &self.state {
            State::First(first) | State::Second { first, .. } => first.is_empty(),
            State::Left(contacts) => contacts.is_empty(),
        }
    }

    /// The contacts left, with their dates.
    fn into_left(self) -> HashMap<Key, (i64, u32)> {
        match self.state {
            State::First(first) => first.into_iter().map(|(k, d)| (k, (d, 0))).collect(),
            State::Second { first, second } => both(first, second, self.word),
            State::Left(contacts) => contacts,
        }
    }
}

/// The contacts of `first` also in `second`, marked as matched by `word`: the smaller side
/// hashed, the larger probed.
fn both(first: Vec<(Key, i64)>, second: Vec<Key>, word: u32) -> HashMap<Key, (i64, u32)> {
    if first.len() <= second.len() {
        let mut contacts: HashMap<Key, (i64, u32)> = HashMap::with_capacity(first.len());
        contacts.extend(first.into_iter().map(|(k, d)| (k, (d, 0))));
        for key in &second {
            if let Some(entry) = contacts.get_mut(key) {
                entry.1 = word;
            }
        }
        contacts.retain(|_, (_, last)| *last == word);
        contacts
    } else {
        let second: HashSet<Key> = second.into_iter().collect();
        first
            .into_iter()
            .filter(|(k, _)| second.contains(k))
            .map(|(k, d)| (k, (d, word)))
            .collect()
    }
}

/// The page of an intersection: its contacts' ids in the page's order, and the capped total.
#[derive(Debug, Clone, PartialEq)]
pub struct IntersectedPage {
    pub ids: Vec<String>,
    pub total: u64,
}

impl SearchPlan {
    /// Words alone (two or more) in date order: what an intersection in memory can serve.
    fn intersectable_words(&self) -> Option<&[String]> {
        let words = self.words_only()?;
        (words.len() > 1 && self.sort == SortField::DateAdded).then_some(words)
    }

    /// The intersection word by word: each word's index rows in its range, rarest first,
    /// `(contact_id, date_added)`, when every other word is to be read once against the
    /// rarest (see `words::read_once`); None when the SQL statements serve better (a rare word
    /// probes the common ones row by row). `word_rows` is the answer of `word_counts`.
    pub fn word_scan(&self, placeholder: Placeholder, word_rows: &[u64]) -> Option<WordScan> {
        let (ranked, rows) = super::words::rank(self.intersectable_words()?, word_rows);
        let count = |i: usize| rows.get(i).copied().unwrap_or(WORD_ROWS_CAP);
        if !(1..ranked.len()).all(|i| read_once(count(0), count(i))) {
            return None;
        }
        let statements = ranked
            .iter()
            .map(|word| {
                let mut b = Builder::new(placeholder);
                let loc = b.text(&self.location);
                let range = b.word_range("term", word);
                let limit = b.int(self.read_bound + 1);
                b.finish(format!(
                    "SELECT contact_id, date_added FROM contact_terms \
                     WHERE location_id = {loc} AND {range} LIMIT {limit}"
                ))
            })
            .collect();
        Some(WordScan {
            statements,
            read_bound: self.read_bound,
        })
    }

    /// The intersection as one join, `(contact_id, date_added)` per matching index row of
    /// the first word (repeats possible), uncounted: for a backend whose own planner and hash
    /// join beat shipping every word's rows (PostgreSQL: 18 ms for `olga lopez` at 1M
    /// contacts, against 31 ms streaming both words' 104,000 rows).
    pub fn word_join(&self, placeholder: Placeholder) -> Option<WordScan> {
        let words = self.intersectable_words()?;
        let mut b = Builder::new(placeholder);
        let mut joins = String::new();
        for (i, word) in words.iter().enumerate().skip(1) {
            let range = b.word_range(&format!("d{i}.term"), word);
            joins.push_str(&format!(
                " JOIN contact_terms d{i} ON d{i}.location_id = d0.location_id \
                 AND d{i}.contact_id = d0.contact_id AND {range}"
            ));
        }
        let loc = b.text(&self.location);
        let range = b.word_range("d0.term", &words[0]);
        let limit = b.int(self.read_bound + 1);
        let join = b.finish(format!(
            "SELECT d0.contact_id, d0.date_added FROM contact_terms d0{joins} \
             WHERE d0.location_id = {loc} AND {range} LIMIT {limit}"
        ));
        Some(WordScan {
            statements: vec![join],
            read_bound: self.read_bound,
        })
    }

    /// The page of the contacts left in `matches`, after the cursor and offset, in date order.
    pub fn intersected_page(&self, matches: Matches) -> IntersectedPage {
        let contacts = matches.into_left();
        let total = (contacts.len() as u64).min(TOTAL_CAP);
        let after = match &self.after {
            Some((SqlParam::Int(date), id)) => Some((*date, id.as_bytes())),
            _ => None,
        };
        let mut rows: Vec<(i64, Key)> = contacts
            .into_iter()
            .map(|(key, (date, _))| (date, key))
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
        IntersectedPage { ids, total }
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

    /// Reads at most `rows` index rows per word into memory (tests: the fallback to SQL).
    pub fn with_read_bound(mut self, rows: u64) -> SearchPlan {
        self.read_bound = rows;
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
    fn only_common_words_alone_in_date_order_are_intersected_in_memory() {
        let two = plan(json!({"query": "olga lopez"}));
        let scan = two.word_scan(numbered, &[10_000, 10_000]).unwrap();
        assert_eq!(scan.statements.len(), 2);
        assert!(
            scan.statements[0].sql.contains("LIMIT ?4"),
            "{}",
            scan.statements[0].sql
        );
        // A rare word with a very common one: probed in SQL.
        assert!(two.word_scan(numbered, &[5, 10_000]).is_none());
        assert!(
            plan(json!({"query": "olga"}))
                .word_scan(numbered, &[])
                .is_none()
        );
        let by_name = plan(json!({"query": "olga lopez",
            "sort": [{"field": "firstNameLowerCase", "direction": "asc"}]}));
        assert!(by_name.word_scan(numbered, &[10_000, 10_000]).is_none());
        let filtered = plan(json!({"query": "olga lopez",
            "filters": [{"field": "tags", "operator": "contains", "value": ["vip"]}]}));
        assert!(filtered.word_scan(numbered, &[10_000, 10_000]).is_none());
    }

    #[test]
    fn the_contacts_every_word_matched_page_newest_first_after_the_cursor() {
        let search = plan(json!({"query": "a b", "pageLimit": 2, "page": 2}));
        let scan = search.word_scan(numbered, &[3, 4]).unwrap();
        let mut m = scan.matches();
        for n in 0..6 {
            m.row(&id(n), i64::from(n) * 10).unwrap();
        }
        m.row(&id(5), 50).unwrap(); // the same contact by two of its words
        m.end_word();
        for n in [1, 2, 3, 5, 9] {
            m.row(&id(n), 0).unwrap();
        }
        m.end_word();
        let page = search.intersected_page(m);
        assert_eq!(page.total, 4);
        // Newest first: 5, 3 | 2, 1.
        assert_eq!(page.ids, vec![id(2), id(1)]);

        let after = plan(json!({"query": "a b", "pageLimit": 5, "searchAfter": [30, id(3)]}));
        let mut m = after.word_scan(numbered, &[3, 4]).unwrap().matches();
        for _word in 0..2 {
            for n in 0..6 {
                m.row(&id(n), i64::from(n) * 10).unwrap();
            }
            m.end_word();
        }
        assert_eq!(after.intersected_page(m).ids, vec![id(2), id(1), id(0)]);

        // The larger side first, and a third word: the same contacts are left.
        let three = plan(json!({"query": "a b c"}));
        let mut m = three.word_scan(numbered, &[]).unwrap().matches();
        for n in 0..50 {
            m.row(&id(n), i64::from(n)).unwrap();
        }
        m.end_word();
        for n in [7, 8, 9, 60] {
            m.row(&id(n), 0).unwrap();
        }
        m.end_word();
        for n in [8, 9] {
            m.row(&id(n), 0).unwrap();
        }
        m.end_word();
        let page = three.intersected_page(m);
        assert_eq!((page.ids, page.total), (vec![id(9), id(8)], 2));
    }

    #[test]
    fn a_joined_intersection_pages_like_the_word_by_word_one() {
        let search = plan(json!({"query": "a b", "pageLimit": 2}));
        let scan = search.word_join(numbered).unwrap();
        assert_eq!(scan.statements.len(), 1);
        assert_bound(&scan.statements[0]);
        assert!(scan.statements[0].sql.contains("JOIN contact_terms d1 ON"));
        assert!(plan(json!({"query": "a"})).word_join(numbered).is_none());
        let mut m = scan.matches();
        for n in [4, 2, 4, 9] {
            m.matched(&id(n), i64::from(n)).unwrap();
        }
        let page = search.intersected_page(m);
        assert_eq!((page.ids, page.total), (vec![id(9), id(4)], 3));
        let mut m = search
            .clone()
            .with_read_bound(2)
            .word_join(numbered)
            .unwrap()
            .matches();
        m.matched(&id(1), 1).unwrap();
        m.matched(&id(2), 2).unwrap();
        assert_eq!(m.matched(&id(3), 3), Err(TooManyRows));
    }

    #[test]
    fn a_word_past_the_read_bound_abandons_the_intersection() {
        let search = plan(json!({"query": "a b"})).with_read_bound(2);
        let scan = search.word_scan(numbered, &[]).unwrap();
        assert!(scan.statements[0].params.contains(&SqlParam::Int(3)));
        let mut m = scan.matches();
        m.row(&id(1), 1).unwrap();
        m.row(&id(2), 2).unwrap();
        assert_eq!(m.row(&id(3), 3), Err(TooManyRows));
        // The bound is per word.
        let mut m = scan.matches();
        m.row(&id(1), 1).unwrap();
        m.row(&id(2), 2).unwrap();
        m.end_word();
        m.row(&id(1), 0).unwrap();
        m.row(&id(2), 0).unwrap();
        m.end_word();
        assert!(!m.is_empty());
    }
}
