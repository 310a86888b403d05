//! Several query words: which one drives (the rarest, by a capped count of each word's index
//! rows) and how the others are tested against its rows (one probe per row, or the other
//! word's ids collected once into a temporary index).

use super::builder::Builder;
use super::statement::{Placeholder, Statement};

/// Each word's index rows are counted up to this many: enough to tell a rare word from a
/// common one, while counting a common word stays one short range read (about 1 ms on SQLite).
pub const WORD_ROWS_CAP: u64 = 10_000;

/// Probing a word in the by-contact index costs a b-tree descent per driving row (about 2 µs
/// on SQLite, measured at 200,000 contacts); reading another word's rows into a temporary
/// index costs about a tenth of that per row. So another word is read once when it has fewer
/// than this many times the driver's rows, and probed per driving row otherwise (a rare word
/// with a very common one: a few probes beat reading the common word's whole range).
const READ_ONCE_RATIO: u64 = 8;

/// The statement behind `SearchPlan::word_counts`: one row, one capped count per word.
pub(super) fn counts(location: &str, words: &[String], placeholder: Placeholder) -> Statement {
    let mut b = Builder::new(placeholder);
    let columns: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let loc = b.text(location);
            let range = b.word_range("term", word);
            let cap = b.int(WORD_ROWS_CAP);
            format!(
                "(SELECT COUNT(*) FROM (SELECT 1 FROM contact_terms WHERE location_id = {loc} \
                 AND {range} LIMIT {cap}) c{i})"
            )
        })
        .collect();
    b.finish(format!("SELECT {}", columns.join(", ")))
}

/// `words` rarest first, with their counts. A word without a count (none given) counts as
/// the cap; ties go to the longer word (likely the rarer), then to the query's order.
pub(super) fn rank(words: &[String], rows: &[u64]) -> (Vec<String>, Vec<u64>) {
    let mut ranked: Vec<(usize, &String, u64)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (i, w, rows.get(i).copied().unwrap_or(WORD_ROWS_CAP)))
        .collect();
    ranked.sort_by_key(|&(i, w, n)| (n, std::cmp::Reverse(w.chars().count()), i));
    ranked.into_iter().map(|(_, w, n)| (w.clone(), n)).unzip()
}

/// Another word with `other` rows is read once (rather than probed per driving row) against
/// a driver with `driver` rows. Two words at the cap are both common: reading both ranges
/// once beats a probe per row of either.
pub(super) fn read_once(driver: u64, other: u64) -> bool {
    driver >= WORD_ROWS_CAP || other < driver.saturating_mul(READ_ONCE_RATIO)
}

impl Builder {
    /// `SELECT {select}` over the index rows (`d`) of the first of `words` (ranked rarest
    /// first, `rows` their counts) whose contact also has a word starting with each other
    /// one: the word index alone, no contact row read.
    pub(super) fn word_rows(
        &mut self,
        location: &str,
        words: &[String],
        rows: &[u64],
        select: &str,
    ) -> String {
        let count = |i: usize| rows.get(i).copied().unwrap_or(WORD_ROWS_CAP);
        let loc = self.text(location);
        let range = self.word_range("d.term", words.first().map_or("", String::as_str));
        let mut sql =
            format!("SELECT {select} FROM contact_terms d WHERE d.location_id = {loc} AND {range}");
        for (i, word) in words.iter().enumerate().skip(1) {
            if read_once(count(0), count(i)) {
                // `|| ''` keeps SQLite from turning the IN around (looping over the other
                // word's ids and probing each): the subquery is read once into a temporary
                // index and each driving row looks its id up there. PostgreSQL hashes it.
                let l = self.text(location);
                let other = self.word_range("w.term", word);
                sql.push_str(&format!(
                    " AND d.contact_id || '' IN (SELECT w.contact_id FROM contact_terms w \
                     WHERE w.location_id = {l} AND {other})"
                ));
            } else {
                let other = self.word_range("w.term", word);
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM contact_terms w WHERE w.location_id = d.location_id \
                     AND w.contact_id = d.contact_id AND {other})"
                ));
            }
        }
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn the_rarest_word_drives_and_ties_go_to_the_longer() {
        let words = owned(&["lopez", "olga", "al"]);
        assert_eq!(
            rank(&words, &[14_996, 4_747, 9_000]),
            (owned(&["olga", "al", "lopez"]), vec![4_747, 9_000, 14_996])
        );
        // Uncounted (or all at the cap): the longest first, as before the counts.
        assert_eq!(rank(&words, &[]).0, owned(&["lopez", "olga", "al"]));
    }

    #[test]
    fn a_rare_driver_probes_a_common_word_and_common_words_are_read_once() {
        assert!(!read_once(5, WORD_ROWS_CAP));
        assert!(!read_once(0, 0));
        assert!(read_once(4_747, 14_996));
        assert!(read_once(WORD_ROWS_CAP, WORD_ROWS_CAP));
    }
}
