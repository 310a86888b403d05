//! The builder's choices: which index drives a search, and that every statement binds exactly
//! the parameters its placeholders number. (What the statements find is tested on both
//! backends by the conformance suite.)

use super::*;
use ivorey_core::contact_search::{SearchBody, TOTAL_CAP};
use serde_json::json;

pub(super) fn numbered(n: usize, _: &SqlParam) -> String {
    format!("?{n}")
}

/// The plan of a `POST /contacts/search` body in a new location.
pub(super) fn plan(body: serde_json::Value) -> SearchPlan {
    let search = serde_json::from_value::<SearchBody>(body)
        .unwrap()
        .into_search()
        .unwrap();
    SearchPlan::for_search(&LocationId::generate(), &search)
}

fn search(body: serde_json::Value) -> SearchSql {
    plan(body).statements("id", numbered, &[])
}

fn placeholders(sql: &str) -> usize {
    (1..100)
        .take_while(|n| sql.contains(&format!("?{n}")))
        .count()
}

pub(super) fn assert_bound(statement: &Statement) {
    assert_eq!(
        placeholders(&statement.sql),
        statement.params.len(),
        "{}",
        statement.sql
    );
}

#[test]
fn every_statement_binds_what_it_numbers() {
    for body in [
        json!({}),
        json!({"query": "maria garcia"}),
        json!({"query": "maria garcia", "searchAfter": [5, "aaaaaaaaaaaaaaaaaaaa"]}),
        json!({"filters": [{"field": "tags", "operator": "contains", "value": ["vip", "lead"]}]}),
        json!({"query": "ada", "filters": [{"field": "dateAdded", "operator": "gt", "value": 5}],
               "sort": [{"field": "lastName", "direction": "desc"}],
               "searchAfter": ["x", "aaaaaaaaaaaaaaaaaaaa"]}),
    ] {
        let sql = search(body.clone());
        assert_bound(&sql.count);
        if let Some(ids) = &sql.count_ids {
            assert_bound(ids);
        }
        assert_bound(&sql.scan_page);
        if let Some(driven) = &sql.driven_page {
            assert_bound(driven);
        }
    }
}

#[test]
fn a_lone_word_or_tag_is_counted_from_its_index_rows_alone() {
    let word = search(json!({"query": "Garcia"}));
    assert!(
        word.count
            .sql
            .contains("SELECT DISTINCT d.contact_id || '' FROM contact_terms d")
    );
    assert!(!word.count.sql.contains("FROM contacts"));
    let ids = word.count_ids.as_ref().unwrap();
    assert!(
        ids.sql
            .starts_with("SELECT d.contact_id FROM contact_terms d")
    );
    let tag =
        search(json!({"filters": [{"field": "tags", "operator": "contains", "value": "vip"}]}));
    assert!(tag.count.sql.contains("FROM contact_tags WHERE"));
    assert!(!tag.count.sql.contains("FROM contacts"));
    // With another condition the contact rows are tested too.
    let both = search(json!({"query": "garcia",
        "filters": [{"field": "tags", "operator": "contains", "value": "vip"}]}));
    assert!(both.count.sql.contains("FROM contacts WHERE"));
}

#[test]
fn the_longest_word_drives_and_an_equality_filter_drives_nothing() {
    let sql = search(json!({"query": "al garcia"}));
    let driven = sql.driven_page.unwrap();
    assert!(driven.params.contains(&SqlParam::Text("garcia".into())));
    assert!(driven.sql.contains("ORDER BY date_added + 0 DESC"));
    let email = search(json!({"query": "garcia",
        "filters": [{"field": "email", "operator": "eq", "value": "a@b.c"}]}));
    assert!(email.driven_page.is_none());
    assert!(search(json!({})).driven_page.is_none());
    // Nor are the words counted to choose a driver: none would drive.
    assert!(
        plan(json!({"query": "olga lopez"}))
            .word_counts(numbered)
            .is_some()
    );
    let by_email = plan(json!({"query": "olga lopez",
        "filters": [{"field": "email", "operator": "eq", "value": "a@b.c"}]}));
    assert!(by_email.word_counts(numbered).is_none());
}

#[test]
fn a_lone_word_in_date_order_pages_from_its_index_up_to_the_cap() {
    let sql = search(json!({"query": "garcia"}));
    let word = sql.word_page.as_ref().unwrap();
    assert!(
        word.sql
            .contains("SELECT DISTINCT d.date_added, d.contact_id FROM contact_terms d")
    );
    assert_eq!(sql.page_for(0), word);
    assert_eq!(sql.page_for(TOTAL_CAP - 1), word);
    assert_eq!(sql.page_for(TOTAL_CAP), &sql.scan_page);
    // Sorted by name, or with a second condition, the word index cannot give the order.
    let by_name = search(json!({"query": "garcia", "sort": [{"field": "lastName"}]}));
    assert!(by_name.word_page.is_none());
    let filtered = search(json!({"query": "garcia",
        "filters": [{"field": "tags", "operator": "contains", "value": "vip"}]}));
    assert!(filtered.word_page.is_none());
    // Several words: the longest one's index rows, each tested for the others in the index.
    let two = search(json!({"query": "maria garcia"}));
    for sql in [&two.word_page.unwrap().sql, &two.count.sql] {
        assert!(
            !sql.contains("FROM contacts WHERE location_id = ?1 AND EXISTS"),
            "{sql}"
        );
        assert_eq!(sql.matches("FROM contact_terms w").count(), 1, "{sql}");
    }
}

#[test]
fn few_matches_take_the_driven_page_and_many_the_scan() {
    let sql = search(json!({"query": "maria garcia",
        "sort": [{"field": "lastName"}]}));
    let driven = sql.driven_page.as_ref().unwrap();
    assert_eq!(sql.page_for(0), driven);
    assert_eq!(sql.page_for(DRIVEN_PAGE_BELOW - 1), driven);
    assert_eq!(sql.page_for(DRIVEN_PAGE_BELOW), &sql.scan_page);
    // The driving word comes from its index; only the other word is tested per contact.
    assert_eq!(
        driven
            .sql
            .matches("EXISTS (SELECT 1 FROM contact_terms w")
            .count(),
        1
    );
}

#[test]
fn a_query_without_words_matches_nothing() {
    let sql = search(json!({"query": "%_"}));
    assert!(sql.count.sql.contains("1 = 0"));
    assert!(sql.scan_page.sql.contains("1 = 0"));
}
