//! Conformance cases for text queries: a contact is found by the starts of its words, the word
//! rows follow every write, and a search gives the same page whether its matches are few (the
//! page is driven from the word index) or many (the sort index is walked).

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::contact_search::{ContactSearch, SearchBody};
use ivorey_core::{ContactId, LocationId, Timestamp};
use serde_json::{Value, json};

use super::fixtures::{T0, new_location};
use crate::contact_search::DRIVEN_PAGE_BELOW;
use crate::{ContactQuery, Store};

fn person(location: &LocationId, first: &str, last: &str, at: i64) -> Contact {
    Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields: ContactFields {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Default::default()
        },
        date_added: Timestamp(T0.0 + at),
        date_updated: Timestamp(T0.0 + at),
    }
}

fn search(body: Value) -> ContactSearch {
    serde_json::from_value::<SearchBody>(body)
        .unwrap()
        .into_search()
        .unwrap()
}

async fn listed(store: &dyn Store, location: &LocationId, query: &str) -> Vec<String> {
    let q = ContactQuery {
        limit: 50,
        query: Some(query.into()),
        ..Default::default()
    };
    let page = store.list_contacts(location, &q).await.unwrap();
    let names: Vec<String> = page
        .contacts
        .iter()
        .map(|c| c.fields.first_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(page.total, names.len() as u64, "{query}");
    names
}

pub async fn text_queries_find_contacts_by_the_starts_of_their_words(store: &dyn Store) {
    let (loc, _) = new_location(store, "Words").await;
    let (other, _) = new_location(store, "Other").await;
    let mut maria = person(&loc, "María-José", "García", 1);
    maria.fields.email = Some("MJ.Garcia@Example.com".into());
    maria.fields.phone = Some("+1 (415) 555-0100".into());
    let mut dan = person(&loc, "Dan", "Brown", 2);
    dan.fields.company_name = Some("Garden Supplies".into());
    let gary = person(&loc, "Gary", "Ross", 3);
    let stranger = person(&other, "Garth", "Garcia", 4);
    for c in [&maria, &dan, &gary, &stranger] {
        store.insert_contact(c).await.unwrap();
    }
    let cases: &[(&str, &[&str])] = &[
        ("gar", &["María-José", "Dan", "Gary"]),
        ("GARCIA", &["María-José"]),
        ("maría gar", &["María-José"]),
        ("garcía josé", &["María-José"]),
        ("mj.garcia@example", &["María-José"]),
        ("5550100", &["María-José"]),
        ("415-555", &["María-José"]),
        ("garden", &["Dan"]),
        // Several words, short and past the posting index's prefix lists (8 characters).
        ("maría 141555501", &["María-José"]),
        ("14155550100 garcía", &["María-José"]),
        ("garcía 5550100 mj", &["María-José"]),
        ("gar d", &["Dan"]),
        ("gar 14155550101", &[]),
        ("arcia", &[]),
        ("gary brown", &[]),
        // Another location's contact is never found, by one word or by several.
        ("garth", &[]),
        ("garth garcia", &[]),
        ("-- %", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(listed(store, &loc, query).await, *expected, "{query:?}");
        let page = store
            .search_contacts(
                &loc,
                &search(
                    json!({"query": query, "sort": [{"field": "dateAdded", "direction": "asc"}]}),
                ),
            )
            .await
            .unwrap();
        let names: Vec<_> = page
            .contacts
            .iter()
            .filter_map(|c| c.fields.first_name.as_deref())
            .collect();
        assert_eq!(names, *expected, "search {query:?}");
    }
}

pub async fn word_rows_follow_updates_and_deletes(store: &dyn Store) {
    let (loc, _) = new_location(store, "Follow").await;
    let mut c = person(&loc, "Ada", "Lovelace", 1);
    store.insert_contact(&c).await.unwrap();
    let other = person(&loc, "Ada", "Other", 2);
    store.insert_contact(&other).await.unwrap();
    // One word (the word rows) and several (the posting index) follow each write.
    assert_eq!(listed(store, &loc, "love").await, ["Ada"]);
    assert_eq!(listed(store, &loc, "ada love").await, ["Ada"]);
    c.fields.last_name = Some("Byron".into());
    store.update_contact(&c).await.unwrap();
    assert!(listed(store, &loc, "love").await.is_empty());
    assert!(listed(store, &loc, "ada love").await.is_empty());
    assert_eq!(listed(store, &loc, "byr").await, ["Ada"]);
    assert_eq!(listed(store, &loc, "byr ada").await, ["Ada"]);
    // A write that leaves the words as they are (a tag) leaves the contact found.
    c.fields.tags = vec!["vip".into()];
    store.update_contact(&c).await.unwrap();
    assert_eq!(listed(store, &loc, "byr ada").await, ["Ada"]);
    store.delete_contact(&loc, &c.id).await.unwrap();
    assert!(listed(store, &loc, "byr").await.is_empty());
    assert!(listed(store, &loc, "ada byr").await.is_empty());
    assert_eq!(listed(store, &loc, "ada oth").await, ["Ada"]);
}

/// Enough contacts that a common word's total reaches the driven page's bound: the same
/// pages come from the word index (a lone word by date), from the word's rows then sorted (by
/// name, few matches), and from walking the name index (by name, many matches).
pub async fn pages_agree_whether_matches_are_few_or_many(store: &dyn Store) {
    let (loc, _) = new_location(store, "Many").await;
    let many = DRIVEN_PAGE_BELOW as i64 + 20;
    let rare_every = 150;
    for i in 0..many {
        let last = if i % rare_every == 0 {
            "Rarename"
        } else {
            "Common"
        };
        // First names sort as the dates do, so a name order and a date order agree.
        let c = person(&loc, &format!("p{i:05}"), last, i);
        store.insert_contact(&c).await.unwrap();
    }
    let names = |page: crate::ContactSearchPage| -> Vec<String> {
        page.contacts
            .into_iter()
            .filter_map(|c| c.fields.first_name)
            .collect()
    };
    for (word, rare) in [("common", false), ("rarename", true)] {
        let matching: Vec<i64> = (0..many)
            .filter(|i| (i % rare_every == 0) == rare)
            .collect();
        let expected: Vec<String> = matching
            .iter()
            .rev()
            .skip(3)
            .take(3)
            .map(|i| format!("p{i:05}"))
            .collect();
        for sort in ["dateAdded", "firstNameLowerCase"] {
            let body = json!({"query": word, "pageLimit": 3, "page": 2,
                "sort": [{"field": sort, "direction": "desc"}]});
            let page = store.search_contacts(&loc, &search(body)).await.unwrap();
            assert_eq!(page.total, matching.len() as u64, "{word} by {sort}");
            assert_eq!(names(page), expected, "{word} by {sort}");
        }
        // The cursor after the first page gives the same second page.
        let first = store
            .search_contacts(&loc, &search(json!({"query": word, "pageLimit": 3})))
            .await
            .unwrap();
        let last = first.contacts.last().unwrap();
        let after = search(json!({"query": word, "pageLimit": 3,
            "searchAfter": [last.date_added.millis(), last.id.as_str()]}));
        let next = store.search_contacts(&loc, &after).await.unwrap();
        assert_eq!(names(next), expected, "{word} after the cursor");
    }
}

/// Several words give the same contacts, total and pages whichever word drives: a rare word
/// with a common one (the common one probed per row), two commoner ones (one read once into
/// a temporary index), in either order, and walked page by page with the cursor.
pub async fn several_words_agree_whichever_word_drives(store: &dyn Store) {
    let (loc, _) = new_location(store, "Several").await;
    let count = 120;
    for i in 0..count {
        let mut c = person(&loc, &format!("p{i:03}"), "Common", i);
        let company = match (i % 2 == 0, i % 15 == 0) {
            (true, true) => "Alpha Rarename",
            (true, false) => "Alpha",
            (false, true) => "Rarename",
            (false, false) => "Beta",
        };
        c.fields.company_name = Some(company.into());
        store.insert_contact(&c).await.unwrap();
    }
    let names = |page: &crate::ContactSearchPage| -> Vec<String> {
        page.contacts
            .iter()
            .filter_map(|c| c.fields.first_name.clone())
            .collect()
    };
    let cases: &[(&str, i64)] = &[
        ("rarename common", 15),
        ("common rarename", 15),
        ("alpha common", 2),
        ("common alpha", 2),
        ("rarename alpha", 30),
        ("com alp rar", 30),
        ("RAR p0", 15),
    ];
    for (query, every) in cases {
        let mut oldest_first: Vec<String> = (0..count)
            .filter(|i| i % every == 0)
            .map(|i| format!("p{i:03}"))
            .collect();
        if query.ends_with("p0") {
            oldest_first.retain(|n| n.starts_with("p0"));
        }
        let total = oldest_first.len() as u64;
        let newest_first: Vec<String> = oldest_first.iter().rev().cloned().collect();
        for (sort, direction, expected) in [
            ("dateAdded", "desc", &newest_first),
            ("dateAdded", "asc", &oldest_first),
            ("firstNameLowerCase", "asc", &oldest_first),
            ("firstNameLowerCase", "desc", &newest_first),
        ] {
            // The second page of three, by page number.
            let body = json!({"query": query, "pageLimit": 3, "page": 2,
                "sort": [{"field": sort, "direction": direction}]});
            let page = store.search_contacts(&loc, &search(body)).await.unwrap();
            assert_eq!(page.total, total, "{query} by {sort}");
            let want: Vec<String> = expected.iter().skip(3).take(3).cloned().collect();
            assert_eq!(names(&page), want, "{query} by {sort} {direction}");
        }
        // Every page after the cursor, newest first, gives each match once and in order.
        let mut walked = Vec::new();
        let mut after: Option<Value> = None;
        loop {
            let mut body = json!({"query": query, "pageLimit": 4});
            if let Some(a) = &after {
                body["searchAfter"] = a.clone();
            }
            let page = store.search_contacts(&loc, &search(body)).await.unwrap();
            assert_eq!(page.total, total, "{query} after {after:?}");
            let Some(last) = page.contacts.last() else {
                break;
            };
            after = Some(json!([last.date_added.millis(), last.id.as_str()]));
            walked.extend(names(&page));
        }
        assert_eq!(walked, newest_first, "{query} walked");
        // The list's text query: oldest first.
        let q = ContactQuery {
            limit: 20,
            query: Some((*query).into()),
            ..Default::default()
        };
        let page = store.list_contacts(&loc, &q).await.unwrap();
        assert_eq!(page.total, total, "list {query}");
        let listed: Vec<String> = page
            .contacts
            .iter()
            .filter_map(|c| c.fields.first_name.clone())
            .collect();
        let want: Vec<String> = oldest_first.iter().take(20).cloned().collect();
        assert_eq!(listed, want, "list {query}");
    }
}

/// For the upgrade tests: a contact stored before the tests drop a word index and run its
/// migration again.
pub async fn stored_before_an_upgrade(store: &dyn Store) -> (LocationId, Contact) {
    let (location, _) = new_location(store, "Upgrade").await;
    let contact = person(&location, "Grace", "Hopper", 1);
    store.insert_contact(&contact).await.unwrap();
    (location, contact)
}

/// For the upgrade tests, once the migrations ran again: the contact is found by one word
/// (the word rows) and by several (the posting index), and its next write replaces the
/// backfilled posting row.
pub async fn found_once_the_word_indexes_are_rebuilt(store: &dyn Store, contact: &Contact) {
    let location = &contact.location_id;
    assert_eq!(listed(store, location, "hop").await, ["Grace"]);
    assert_eq!(listed(store, location, "gra hop").await, ["Grace"]);
    let mut renamed = contact.clone();
    renamed.fields.last_name = Some("Brewster".into());
    store.update_contact(&renamed).await.unwrap();
    assert!(listed(store, location, "gra hop").await.is_empty());
    assert_eq!(listed(store, location, "gra bre").await, ["Grace"]);
}
