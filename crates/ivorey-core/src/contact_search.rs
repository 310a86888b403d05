//! `POST /contacts/search`: the request body, parsed and validated into a `ContactSearch` that
//! both store backends turn into the same parameterised SQL. Every refusal names its field.

use serde::Deserialize;
use serde_json::Value;

use crate::contact::normalize_phone;
use crate::contact_terms::{QUERY_WORDS_MAX, query_words};
use crate::error::ValidationErrors;
use crate::{ContactId, Timestamp};

/// The largest `pageLimit`.
pub const PAGE_LIMIT_MAX: u32 = 500;
pub const PAGE_LIMIT_DEFAULT: u32 = 20;
/// How deep `page` may reach (`page * pageLimit`); deeper pages use `searchAfter`, which costs
/// the same on every page.
pub const PAGE_WINDOW_MAX: u64 = 10_000;
/// `total` is exact up to this many matches and reported as this number beyond: counting a
/// whole large location on every page would cost more than the page itself.
pub const TOTAL_CAP: u64 = 10_000;
const FILTERS_MAX: usize = 50;
const DEPTH_MAX: usize = 3;
const QUERY_MAX: usize = 200;

/// The body as sent. `filters` and `sort` stay JSON until parsed, so an unknown field or
/// operator is answered with its name rather than a generic deserialisation error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchBody {
    pub location_id: Option<String>,
    pub page: Option<u64>,
    pub page_limit: Option<u32>,
    pub search_after: Option<Vec<Value>>,
    pub query: Option<String>,
    #[serde(default)]
    pub filters: Vec<Value>,
    #[serde(default)]
    pub sort: Vec<Value>,
}

/// A text column compared case-insensitively (phones in their normalised form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextColumn {
    Email,
    Phone,
    FirstName,
    LastName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    And,
    Or,
}

/// One condition on a contact.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Has every one of these (normalised) tags.
    HasTags(Vec<String>),
    /// Has none of these tags.
    LacksTags(Vec<String>),
    Equals(TextColumn, String),
    /// `true`: the field is set; `false`: it is not.
    Exists(TextColumn, bool),
    DateAdded(Comparison, Timestamp),
    Group(Logic, Vec<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    DateAdded,
    FirstName,
    LastName,
}

/// The sort value of the last contact of a page: where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    At(Timestamp),
    Text(String),
}

/// A validated search: every filter must match (`filters` are ANDed), then keyset or page order.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactSearch {
    pub filters: Vec<Filter>,
    /// Words that must each start one of the contact's words (`contact_terms`).
    pub query: Option<String>,
    pub sort: SortField,
    pub descending: bool,
    /// Contacts strictly after this (sort value, id) in the sort order.
    pub after: Option<(SortValue, ContactId)>,
    pub offset: u64,
    pub limit: u32,
}

impl SearchBody {
    /// The search, or every problem with the body.
    pub fn into_search(self) -> Result<ContactSearch, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let limit = self.page_limit.unwrap_or(PAGE_LIMIT_DEFAULT);
        if !(1..=PAGE_LIMIT_MAX).contains(&limit) {
            e.add(
                "pageLimit",
                format!("must be between 1 and {PAGE_LIMIT_MAX}"),
            );
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            e.add("page", "must be 1 or more");
        } else if page.saturating_mul(u64::from(limit)) > PAGE_WINDOW_MAX {
            e.add(
                "page",
                format!("reaches past {PAGE_WINDOW_MAX} results; use searchAfter to go deeper"),
            );
        }
        if page > 1 && self.search_after.is_some() {
            e.add("searchAfter", "cannot be combined with a page after 1");
        }
        let query = self
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty());
        if query.is_some_and(|q| q.chars().count() > QUERY_MAX) {
            e.add("query", format!("must be at most {QUERY_MAX} characters"));
        }
        if query.is_some_and(|q| q.chars().any(char::is_control)) {
            e.add("query", "must not contain control characters");
        }
        if query.is_some_and(|q| query_words(q).len() > QUERY_WORDS_MAX) {
            e.add(
                "query",
                format!("must have at most {QUERY_WORDS_MAX} words"),
            );
        }
        let (sort, descending) = parse_sort(&mut e, &self.sort);
        let after = self
            .search_after
            .as_deref()
            .and_then(|v| parse_after(&mut e, v, sort));
        let mut count = 0;
        let filters = parse_filters(&mut e, &self.filters, 0, &mut count);
        e.finish(ContactSearch {
            filters,
            query: query.map(str::to_lowercase),
            sort,
            descending,
            after,
            offset: (page.max(1) - 1) * u64::from(limit),
            limit,
        })
    }
}

fn parse_sort(e: &mut ValidationErrors, sort: &[Value]) -> (SortField, bool) {
    // Newest first unless asked otherwise.
    let default = (SortField::DateAdded, true);
    match sort {
        [] => default,
        [one] => {
            let field = match one.get("field").and_then(Value::as_str) {
                Some("dateAdded") => SortField::DateAdded,
                Some("firstNameLowerCase" | "firstName") => SortField::FirstName,
                Some("lastNameLowerCase" | "lastName") => SortField::LastName,
                other => {
                    e.add(
                        "sort",
                        format!(
                            "field {} is not sortable; use dateAdded, firstNameLowerCase or \
                             lastNameLowerCase",
                            show(other)
                        ),
                    );
                    return default;
                }
            };
            let descending = match one.get("direction").and_then(Value::as_str) {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    e.add("sort", format!("direction {other:?} must be asc or desc"));
                    false
                }
            };
            (field, descending)
        }
        _ => {
            e.add("sort", "accepts one sort field");
            default
        }
    }
}

fn parse_after(
    e: &mut ValidationErrors,
    after: &[Value],
    sort: SortField,
) -> Option<(SortValue, ContactId)> {
    let id = after.get(1).and_then(Value::as_str).map(ContactId::parse);
    let value = match (sort, after.first()) {
        (SortField::DateAdded, Some(Value::Number(n))) => {
            n.as_i64().map(|n| SortValue::At(Timestamp(n)))
        }
        (SortField::FirstName | SortField::LastName, Some(Value::String(s))) => {
            Some(SortValue::Text(s.clone()))
        }
        _ => None,
    };
    match (after.len(), value, id) {
        (2, Some(value), Some(Ok(id))) => Some((value, id)),
        _ => {
            e.add(
                "searchAfter",
                "must be the searchAfter of the previous page's last contact: [sort value, id]",
            );
            None
        }
    }
}

fn show(name: Option<&str>) -> String {
    name.map_or_else(|| "(missing)".to_owned(), |n| format!("{n:?}"))
}

fn parse_filters(
    e: &mut ValidationErrors,
    filters: &[Value],
    depth: usize,
    count: &mut usize,
) -> Vec<Filter> {
    if depth > DEPTH_MAX {
        e.add("filters", format!("groups nest at most {DEPTH_MAX} deep"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for filter in filters {
        *count += 1;
        if *count > FILTERS_MAX {
            e.add("filters", format!("at most {FILTERS_MAX} filters"));
            return out;
        }
        if let Some(group) = filter.get("group") {
            let logic = match group.as_str().map(str::to_ascii_uppercase).as_deref() {
                Some("AND") => Logic::And,
                Some("OR") => Logic::Or,
                _ => {
                    e.add("filters", "group must be AND or OR");
                    continue;
                }
            };
            let inner = filter.get("filters").and_then(Value::as_array);
            let inner = parse_filters(e, inner.map_or(&[], Vec::as_slice), depth + 1, count);
            out.push(Filter::Group(logic, inner));
            continue;
        }
        out.extend(parse_condition(e, filter));
    }
    out
}

fn parse_condition(e: &mut ValidationErrors, filter: &Value) -> Vec<Filter> {
    let field = filter.get("field").and_then(Value::as_str);
    let operator = filter.get("operator").and_then(Value::as_str);
    let value = filter.get("value").unwrap_or(&Value::Null);
    let column = match field {
        Some("email") => Some(TextColumn::Email),
        Some("phone") => Some(TextColumn::Phone),
        Some("firstName" | "firstNameLowerCase") => Some(TextColumn::FirstName),
        Some("lastName" | "lastNameLowerCase") => Some(TextColumn::LastName),
        Some("tags" | "dateAdded") => None,
        other => {
            e.add("filters", format!("field {} is not supported", show(other)));
            return Vec::new();
        }
    };
    let bad_operator = |e: &mut ValidationErrors| {
        e.add(
            "filters",
            format!(
                "operator {} is not supported for field {}",
                show(operator),
                show(field)
            ),
        );
        Vec::new()
    };
    if let Some(column) = column {
        return match operator {
            Some("eq") => match text_value(column, value) {
                Some(v) => vec![Filter::Equals(column, v)],
                None => {
                    e.add(
                        "filters",
                        format!("value of {} must be a non-empty string", show(field)),
                    );
                    Vec::new()
                }
            },
            Some("exists") => vec![Filter::Exists(column, true)],
            Some("not_exists") => vec![Filter::Exists(column, false)],
            _ => bad_operator(e),
        };
    }
    if field == Some("tags") {
        let tags = tag_values(value);
        if tags.is_empty() {
            e.add(
                "filters",
                "value of \"tags\" must be a tag or a list of tags",
            );
            return Vec::new();
        }
        return match operator {
            Some("contains" | "eq") => vec![Filter::HasTags(tags)],
            Some("not_contains" | "not_eq") => vec![Filter::LacksTags(tags)],
            _ => bad_operator(e),
        };
    }
    let mut single = |cmp| match time_value(value) {
        Some(at) => vec![Filter::DateAdded(cmp, at)],
        None => {
            e.add(
                "filters",
                "value of \"dateAdded\" must be milliseconds or an RFC 3339 time",
            );
            Vec::new()
        }
    };
    match operator {
        Some("gt") => single(Comparison::Gt),
        Some("gte") => single(Comparison::Gte),
        Some("lt") => single(Comparison::Lt),
        Some("lte") => single(Comparison::Lte),
        Some("range") => parse_range(e, value),
        _ => bad_operator(e),
    }
}

fn parse_range(e: &mut ValidationErrors, value: &Value) -> Vec<Filter> {
    let bounds = [
        ("gt", Comparison::Gt),
        ("gte", Comparison::Gte),
        ("lt", Comparison::Lt),
        ("lte", Comparison::Lte),
    ];
    let Some(map) = value.as_object().filter(|m| !m.is_empty()) else {
        e.add(
            "filters",
            "value of a dateAdded range must be an object of gt, gte, lt, lte",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, v) in map {
        match (bounds.iter().find(|(k, _)| k == key), time_value(v)) {
            (Some(&(_, cmp)), Some(at)) => out.push(Filter::DateAdded(cmp, at)),
            (None, _) => e.add(
                "filters",
                format!("range bound {key:?} must be gt, gte, lt or lte"),
            ),
            (_, None) => e.add(
                "filters",
                format!("range bound {key:?} must be milliseconds or an RFC 3339 time"),
            ),
        }
    }
    out
}

fn text_value(column: TextColumn, value: &Value) -> Option<String> {
    let raw = value.as_str()?.trim();
    match column {
        TextColumn::Phone => normalize_phone(raw),
        _ => (!raw.is_empty()).then(|| raw.to_lowercase()),
    }
}

fn tag_values(value: &Value) -> Vec<String> {
    let raw: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    raw.iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn time_value(value: &Value) -> Option<Timestamp> {
    match value {
        Value::Number(n) => n.as_i64().map(Timestamp),
        Value::String(s) => Timestamp::parse_rfc3339(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
