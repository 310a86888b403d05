//! The words a contact is found by: a text query (`query` on the contacts list and search)
//! matches a contact when every word of the query starts one of the contact's words. Kept as
//! index rows (`contact_terms`), so a query is a range lookup in an index, not a scan of every
//! contact's text, on both backends.

use std::collections::BTreeSet;

use crate::contact::Contact;

/// Words are cut to this many characters, in the index and in queries alike, so a long word is
/// still found by any prefix of it.
pub const TERM_MAX: usize = 48;
/// At most this many words of one field are indexed (a very long company name is not).
const WORDS_PER_FIELD_MAX: usize = 12;
/// A query of more words is refused: each word is one more index probe per candidate.
pub const QUERY_WORDS_MAX: usize = 8;

/// Lowercased runs of letters and digits, each cut to `TERM_MAX` characters.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .take(TERM_MAX)
                .flat_map(char::to_lowercase)
                .collect()
        })
}

/// The distinct words of a text query, in the order given; empty when it has no letter or
/// digit (such a query matches no contact).
pub fn query_words(query: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    words(query).filter(|w| seen.insert(w.clone())).collect()
}

/// The contact's index words: the words of its names, email and company; of its phone, the
/// groups as written, all its digits, and its last ten and last seven digits (so a national
/// or local number is found without the country code).
pub fn contact_terms(contact: &Contact) -> BTreeSet<String> {
    let f = &contact.fields;
    let mut terms = BTreeSet::new();
    for text in [
        &f.name,
        &f.first_name,
        &f.last_name,
        &f.email,
        &f.company_name,
        &f.phone,
    ]
    .into_iter()
    .flatten()
    {
        terms.extend(words(text).take(WORDS_PER_FIELD_MAX));
    }
    if let Some(phone) = &f.phone {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        for keep in [usize::MAX, 10, 7] {
            if digits.len() >= 7 || keep == usize::MAX {
                let start = digits.len().saturating_sub(keep);
                terms.insert(digits[start..].chars().take(TERM_MAX).collect());
            }
        }
    }
    terms.remove("");
    terms
}

/// The exclusive upper bound of the words starting with `prefix`: every such word is
/// `>= prefix` and `< prefix_end(prefix)` in byte order (both backends compare index words
/// bytewise: SQLite's BINARY collation, PostgreSQL's "C").
pub fn prefix_end(prefix: &str) -> String {
    // U+10FFFF is the largest scalar value and sorts after every character of a word.
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::ContactFields;
    use crate::{ContactId, LocationId, Timestamp};

    fn contact(fields: ContactFields) -> Contact {
        Contact {
            created_by: None,
            updated_by: None,
            id: ContactId::generate(),
            location_id: LocationId::generate(),
            fields,
            date_added: Timestamp(0),
            date_updated: Timestamp(0),
        }
    }

    #[test]
    fn names_email_company_and_phone_give_their_words() {
        let c = contact(ContactFields {
            first_name: Some("María-José".into()),
            last_name: Some("García".into()),
            email: Some("MJ.Garcia@Example.com".into()),
            company_name: Some("Acme Books".into()),
            phone: Some("+1 (415) 555-0100".into()),
            ..Default::default()
        });
        let terms = contact_terms(&c);
        for expected in [
            "maría",
            "josé",
            "garcía",
            "mj",
            "garcia",
            "example",
            "com",
            "acme",
            "books",
            "1",
            "415",
            "555",
            "0100",
            "14155550100",
            "4155550100",
            "5550100",
        ] {
            assert!(
                terms.contains(expected),
                "{expected} missing from {terms:?}"
            );
        }
    }

    #[test]
    fn short_phones_give_only_their_digits_and_groups() {
        let c = contact(ContactFields {
            phone: Some("12-34".into()),
            ..Default::default()
        });
        assert_eq!(
            contact_terms(&c).into_iter().collect::<Vec<_>>(),
            ["12", "1234", "34"]
        );
    }

    #[test]
    fn long_words_are_cut_and_long_fields_capped() {
        let long = "x".repeat(200);
        let many = (0..50)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let c = contact(ContactFields {
            first_name: Some(long),
            company_name: Some(many),
            ..Default::default()
        });
        let terms = contact_terms(&c);
        assert!(terms.iter().all(|t| t.chars().count() <= TERM_MAX));
        assert_eq!(terms.iter().filter(|t| t.starts_with('w')).count(), 12);
    }

    #[test]
    fn queries_split_like_contacts_and_drop_repeats() {
        assert_eq!(query_words("  Ada  LOVELACE ada"), ["ada", "lovelace"]);
        assert_eq!(query_words("eve@acme.io"), ["eve", "acme", "io"]);
        assert!(query_words("% _ --").is_empty());
    }

    #[test]
    fn the_prefix_range_holds_exactly_the_words_that_start_with_it() {
        let end = prefix_end("gar");
        for inside in ["gar", "garcia", "garçon", "gar\u{10FFFE}"] {
            assert!(inside >= "gar" && inside < end.as_str(), "{inside}");
        }
        for outside in ["ga", "gas", "gb", "h"] {
            assert!(!(outside >= "gar" && outside < end.as_str()), "{outside}");
        }
    }
}
