use serde_json::json;

use super::*;

fn parse(body: serde_json::Value) -> Result<ContactSearch, ValidationErrors> {
    serde_json::from_value::<SearchBody>(body)
        .unwrap()
        .into_search()
}

#[test]
fn a_full_body_parses_into_filters_sort_and_cursor() {
    let search = parse(json!({
        "pageLimit": 50,
        "query": " Ada ",
        "searchAfter": ["ada", "abcdefghij0123456789"],
        "sort": [{"field": "firstNameLowerCase", "direction": "desc"}],
        "filters": [
            {"field": "tags", "operator": "contains", "value": ["VIP"]},
            {"field": "phone", "operator": "eq", "value": "+1 (888) 555-0101"},
            {"field": "dateAdded", "operator": "range", "value": {"gte": 5, "lt": "1970-01-02"}},
            {"group": "or", "filters": [{"field": "email", "operator": "not_exists"}]}
        ]
    }))
    .unwrap();
    assert_eq!(search.query.as_deref(), Some("ada"));
    assert_eq!(
        (search.sort, search.descending, search.limit),
        (SortField::FirstName, true, 50)
    );
    assert_eq!(search.filters.len(), 5);
    assert_eq!(search.filters[0], Filter::HasTags(vec!["vip".into()]));
    assert_eq!(
        search.filters[1],
        Filter::Equals(TextColumn::Phone, "+18885550101".into())
    );
    assert!(matches!(search.filters[4], Filter::Group(Logic::Or, _)));
    assert!(search.after.is_some());
}

#[test]
fn unknown_fields_and_operators_are_named() {
    let err = parse(json!({"filters": [
        {"field": "shoeSize", "operator": "eq", "value": "9"},
        {"field": "email", "operator": "like", "value": "x"}
    ]}))
    .unwrap_err();
    let messages = err.messages();
    assert!(messages[0].contains("\"shoeSize\""), "{messages:?}");
    assert!(messages[1].contains("\"like\""), "{messages:?}");
}

#[test]
fn page_limits_and_windows_are_bounded() {
    assert!(parse(json!({"pageLimit": 501})).is_err());
    assert!(parse(json!({"pageLimit": 500})).is_ok());
    assert!(parse(json!({"page": 21, "pageLimit": 500})).is_err());
    let err = parse(json!({"page": 2, "searchAfter": [1, "abcdefghij0123456789"]})).unwrap_err();
    assert_eq!(err.0[0].field, "searchAfter");
    let second = parse(json!({"page": 3, "pageLimit": 10})).unwrap();
    assert_eq!(second.offset, 20);
}

#[test]
fn a_cursor_must_fit_the_sort() {
    let err = parse(json!({"searchAfter": ["ada", "abcdefghij0123456789"]})).unwrap_err();
    assert_eq!(err.0[0].field, "searchAfter");
}
