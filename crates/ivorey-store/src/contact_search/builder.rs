//! The SQL text of a search, piece by piece: placeholders numbered as values are bound, word
//! ranges, filters, the driver's ids and the sort columns. Only fixed column names and
//! operators reach the text; every value is a bound parameter.

use ivorey_core::contact_search::{Comparison, Filter, Logic, SortField, TextColumn};
use ivorey_core::contact_terms::prefix_end;

use super::statement::{Placeholder, SqlParam, Statement};

/// Numbers each bound value's placeholder as it is written into the SQL text.
pub(super) struct Builder {
    params: Vec<SqlParam>,
    placeholder: Placeholder,
}

impl Builder {
    pub(super) fn new(placeholder: Placeholder) -> Self {
        Builder {
            params: Vec::new(),
            placeholder,
        }
    }

    pub(super) fn bind(&mut self, param: SqlParam) -> String {
        self.params.push(param);
        (self.placeholder)(self.params.len(), self.params.last().expect("just pushed"))
    }

    pub(super) fn text(&mut self, text: &str) -> String {
        self.bind(SqlParam::Text(text.to_owned()))
    }

    pub(super) fn int(&mut self, n: u64) -> String {
        self.bind(SqlParam::Int(i64::try_from(n).unwrap_or(i64::MAX)))
    }

    pub(super) fn finish(self, sql: String) -> Statement {
        Statement {
            sql,
            params: self.params,
        }
    }

    /// `term` within the words starting with `word` (the index's range, in byte order).
    pub(super) fn word_range(&mut self, column: &str, word: &str) -> String {
        let lo = self.text(word);
        let hi = self.text(&prefix_end(word));
        format!("{column} >= {lo} AND {column} < {hi}")
    }

    /// The contact being tested (the outer table is `contacts`) has a word starting with `word`.
    pub(super) fn has_word(&mut self, word: &str) -> String {
        let range = self.word_range("w.term", word);
        format!(
            "EXISTS (SELECT 1 FROM contact_terms w WHERE w.location_id = contacts.location_id \
             AND w.contact_id = contacts.id AND {range})"
        )
    }

    /// The ids of the location's contacts the driver matches (repeats possible for a word).
    pub(super) fn driver_ids(&mut self, location: &str, driver: &Driver) -> String {
        let loc = self.text(location);
        match driver {
            Driver::Word(word) => {
                let range = self.word_range("term", word);
                format!(
                    "SELECT contact_id FROM contact_terms WHERE location_id = {loc} AND {range}"
                )
            }
            Driver::Tag(tag) => {
                let t = self.text(tag);
                format!(
                    "SELECT contact_id FROM contact_tags WHERE location_id = {loc} AND tag = {t}"
                )
            }
        }
    }

    pub(super) fn filter(&mut self, filter: &Filter) -> String {
        match filter {
            Filter::HasTags(tags) => {
                let each: Vec<String> = tags
                    .iter()
                    .map(|t| {
                        let p = self.text(t);
                        format!("EXISTS ({TAG_ROW} AND t.tag = {p})")
                    })
                    .collect();
                format!("({})", each.join(" AND "))
            }
            Filter::LacksTags(tags) => {
                let list: Vec<String> = tags.iter().map(|t| self.text(t)).collect();
                format!("NOT EXISTS ({TAG_ROW} AND t.tag IN ({}))", list.join(", "))
            }
            Filter::Equals(column, value) => {
                let p = self.text(value);
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

/// The same order as `sort_column`, written so that no index can serve it: a driven page
/// must be found from its driver's rows, then sorted, never by walking the sort index.
pub(super) fn unindexed_sort(sort: SortField) -> &'static str {
    match sort {
        SortField::DateAdded => "date_added + 0",
        SortField::FirstName => "first_name_lower || ''",
        SortField::LastName => "last_name_lower || ''",
    }
}

/// The index rows a search can be driven from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Driver {
    Word(String),
    Tag(String),
}
