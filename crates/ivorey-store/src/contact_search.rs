//! Contact search: the store trait, and the one SQL builder both backends use, so a search
//! gives the same rows on SQLite and PostgreSQL. Every value is a bound parameter; the SQL text
//! holds only fixed column names and operators chosen from the parsed `ContactSearch`.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{
    Comparison, ContactSearch, Filter, Logic, SortField, SortValue, TextColumn,
};

use crate::{StoreResult, contains_pattern};

/// One page of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactSearchPage {
    pub contacts: Vec<Contact>,
    /// Matches ignoring the cursor and page, capped at `contact_search::TOTAL_CAP`.
    pub total: u64,
}

/// `POST /contacts/search`.
#[async_trait]
pub trait ContactSearchStore {
    /// The page of the location's contacts matching every filter, in the search's order after
    /// its cursor and offset, and the (capped) total.
    async fn search_contacts(
        &self,
        location: &LocationId,
        search: &ContactSearch,
    ) -> StoreResult<ContactSearchPage>;
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Int(i64),
}

/// How a backend writes the n-th placeholder (1-based) for a parameter.
pub type Placeholder = fn(usize, &SqlParam) -> String;

/// The statements of one search, each with its parameters: the page (`columns` selected) and
/// the capped count.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSql {
    pub page: String,
    pub page_params: Vec<SqlParam>,
    pub count: String,
    pub count_params: Vec<SqlParam>,
}

struct Builder {
    params: Vec<SqlParam>,
    placeholder: Placeholder,
}

impl Builder {
    fn bind(&mut self, param: SqlParam) -> String {
        self.params.push(param);
        (self.placeholder)(self.params.len(), self.params.last().expect("just pushed"))
    }

    fn filter(&mut self, filter: &Filter) -> String {
        match filter {
            Filter::HasTags(tags) => {
                let each: Vec<String> = tags
                    .iter()
                    .map(|t| {
                        let p = self.bind(SqlParam::Text(t.clone()));
                        format!("EXISTS ({TAG_ROW} AND t.tag = {p})")
                    })
                    .collect();
                format!("({})", each.join(" AND "))
            }
            Filter::LacksTags(tags) => {
                let list: Vec<String> = tags
                    .iter()
                    .map(|t| self.bind(SqlParam::Text(t.clone())))
                    .collect();
                format!("NOT EXISTS ({TAG_ROW} AND t.tag IN ({}))", list.join(", "))
            }
            Filter::Equals(column, value) => {
                let p = self.bind(SqlParam::Text(value.clone()));
                format!("{} = {p}", column_name(*column))
            }
            Filter::Exists(column, set) => {
                let name = column_name(*column);
                match (column, set) {
                    (TextColumn::Email | TextColumn::Phone, true) => format!("{name} IS NOT NULL"),
                    (TextColumn::Email | TextColumn::Phone, false) => format!("{name} IS NULL"),
                    (_, true) => format!("{name} <> ''"),
                    (_, false) => format!("{name} = ''"),
                }
            }
            Filter::DateAdded(cmp, at) => {
                let p = self.bind(SqlParam::Int(at.millis()));
                let op = match cmp {
                    Comparison::Gt => ">",
                    Comparison::Gte => ">=",
                    Comparison::Lt => "<",
                    Comparison::Lte => "<=",
                };
                format!("date_added {op} {p}")
            }
            Filter::Group(logic, inner) if inner.is_empty() => {
                // An empty AND matches everything, an empty OR nothing.
                (if *logic == Logic::And {
                    "1 = 1"
                } else {
                    "1 = 0"
                })
                .to_owned()
            }
            Filter::Group(logic, inner) => {
                let joiner = if *logic == Logic::And {
                    " AND "
                } else {
                    " OR "
                };
                let parts: Vec<String> = inner.iter().map(|f| self.filter(f)).collect();
                format!("({})", parts.join(joiner))
            }
        }
    }
}

/// The tag rows of the contact being tested (the outer table is `contacts`).
const TAG_ROW: &str = "SELECT 1 FROM contact_tags t \
     WHERE t.location_id = contacts.location_id AND t.contact_id = contacts.id";

fn column_name(column: TextColumn) -> &'static str {
    match column {
        TextColumn::Email => "email_lower",
        TextColumn::Phone => "phone_norm",
        TextColumn::FirstName => "first_name_lower",
        TextColumn::LastName => "last_name_lower",
    }
}

/// The sort column for a sort field.
pub fn sort_column(sort: SortField) -> &'static str {
    match sort {
        SortField::DateAdded => "date_added",
        SortField::FirstName => "first_name_lower",
        SortField::LastName => "last_name_lower",
    }
}

/// Builds the page and count statements for `search` in `location`.
pub fn search_sql(
    location: &LocationId,
    search: &ContactSearch,
    columns: &str,
    placeholder: Placeholder,
) -> SearchSql {
    let mut b = Builder {
        params: Vec::new(),
        placeholder,
    };
    let mut conditions = vec![format!(
        "location_id = {}",
        b.bind(SqlParam::Text(location.as_str().to_owned()))
    )];
    if let Some(query) = &search.query {
        let p = b.bind(SqlParam::Text(contains_pattern(query)));
        conditions.push(format!("search_text LIKE {p} ESCAPE '\\'"));
    }
    for filter in &search.filters {
        conditions.push(b.filter(filter));
    }
    let matches = conditions.join(" AND ");
    // The count and the page share the filters' parameters and number their own after them.
    let mut count_b = Builder {
        params: b.params.clone(),
        placeholder,
    };
    let cap = count_b.bind(SqlParam::Int(
        i64::try_from(ivorey_core::contact_search::TOTAL_CAP).unwrap_or(i64::MAX),
    ));
    let count =
        format!("SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE {matches} LIMIT {cap}) capped");
    let column = sort_column(search.sort);
    let (op, dir) = if search.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut page_where = matches;
    if let Some((value, id)) = &search.after {
        let value = match value {
            SortValue::At(at) => SqlParam::Int(at.millis()),
            SortValue::Text(text) => SqlParam::Text(text.clone()),
        };
        let v = b.bind(value);
        let i = b.bind(SqlParam::Text(id.as_str().to_owned()));
        page_where.push_str(&format!(" AND ({column}, id) {op} ({v}, {i})"));
    }
    let limit = b.bind(SqlParam::Int(i64::from(search.limit)));
    let offset = b.bind(SqlParam::Int(
        i64::try_from(search.offset).unwrap_or(i64::MAX),
    ));
    let page = format!(
        "SELECT {columns} FROM contacts WHERE {page_where} \
         ORDER BY {column} {dir}, id {dir} LIMIT {limit} OFFSET {offset}"
    );
    SearchSql {
        page,
        page_params: b.params,
        count,
        count_params: count_b.params,
    }
}
