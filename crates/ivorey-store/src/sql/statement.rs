//! A statement's text and its parameters, the same for both backends.

use std::sync::OnceLock;

use ivorey_core::Timestamp;

/// Which database a `Db` talks to, for the few statements whose text differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One statement's text, written with PostgreSQL's numbered placeholders (`$1`, `$2`, ...).
/// SQLite reads `$1` as a *named* parameter and numbers names in order of first appearance,
/// so `SET body = $4 WHERE id = $1` would bind the wrong values: its text gets `?N` instead,
/// made once per statement on first use.
#[derive(Debug)]
pub struct Sql {
    text: &'static str,
    sqlite: OnceLock<String>,
    replanned: bool,
}

impl Sql {
    /// A statement known at compile time (a `static`).
    pub const fn new(text: &'static str) -> Sql {
        Sql {
            text,
            sqlite: OnceLock::new(),
            replanned: false,
        }
    }

    /// A search whose filters are each "NULL or equal": PostgreSQL's cached generic plan
    /// cannot tell which are set and guesses one row, so it sorts every row of the location
    /// instead of walking the ordered index (90 ms against under 1 at 100,000 rows). Such a
    /// statement is planned with its values at every call, for one more round trip.
    pub const fn replanned(text: &'static str) -> Sql {
        Sql {
            text,
            sqlite: OnceLock::new(),
            replanned: true,
        }
    }

    /// Whether PostgreSQL plans this statement anew at each call (see `replanned`).
    pub fn is_replanned(&self) -> bool {
        self.replanned
    }

    /// The text for `dialect`.
    pub fn text(&self, dialect: Dialect) -> &str {
        match dialect {
            Dialect::Postgres => self.text,
            Dialect::Sqlite => self.sqlite.get_or_init(|| question_marks(self.text)),
        }
    }
}

/// `$N` -> `?N` outside quoted strings and identifiers.
fn question_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('?');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// A value bound to a placeholder. The variant says the column's type, which PostgreSQL checks
/// (an `i64` never binds to an `INTEGER` column); SQLite stores each as its own affinity.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'a> {
    Text(Option<&'a str>),
    /// `BIGINT` (timestamps, counts, amounts).
    Int(Option<i64>),
    /// `INTEGER` (small counts, ports, minutes).
    Int32(Option<i32>),
    Bool(Option<bool>),
    Blob(Option<&'a [u8]>),
    /// A `text[]` parameter (PostgreSQL only: `unnest($1::text[])`).
    TextArray(&'a [String]),
    /// A `bigint[]` parameter (PostgreSQL only: `unnest($1::bigint[])`).
    IntArray(&'a [i64]),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Param::Text(Some(s))
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(s: &'a String) -> Self {
        Param::Text(Some(s))
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(s: &'a Option<String>) -> Self {
        Param::Text(s.as_deref())
    }
}

impl<'a> From<Option<&'a String>> for Param<'a> {
    fn from(s: Option<&'a String>) -> Self {
        Param::Text(s.map(String::as_str))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(s: Option<&'a str>) -> Self {
        Param::Text(s)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(Some(n))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(n: Option<i64>) -> Self {
        Param::Int(n)
    }
}

impl From<i32> for Param<'_> {
    fn from(n: i32) -> Self {
        Param::Int32(Some(n))
    }
}

impl From<Option<i32>> for Param<'_> {
    fn from(n: Option<i32>) -> Self {
        Param::Int32(n)
    }
}

impl From<bool> for Param<'_> {
    fn from(b: bool) -> Self {
        Param::Bool(Some(b))
    }
}

impl From<Timestamp> for Param<'_> {
    fn from(t: Timestamp) -> Self {
        Param::Int(Some(t.millis()))
    }
}

impl From<Option<Timestamp>> for Param<'_> {
    fn from(t: Option<Timestamp>) -> Self {
        Param::Int(t.map(Timestamp::millis))
    }
}

macro_rules! id_params {
    ($($id:ty),*) => {$(
        impl<'a> From<&'a $id> for Param<'a> {
            fn from(id: &'a $id) -> Self {
                Param::Text(Some(id.as_str()))
            }
        }
        impl<'a> From<Option<&'a $id>> for Param<'a> {
            fn from(id: Option<&'a $id>) -> Self {
                Param::Text(id.map(|i| i.as_str()))
            }
        }
    )*};
}

id_params!(
    ivorey_core::ids::LocationId,
    ivorey_core::ids::UserId,
    ivorey_core::ids::IntegrationId,
    ivorey_core::ids::ContactId,
    ivorey_core::ids::NoteId,
    ivorey_core::ids::PipelineId,
    ivorey_core::ids::StageId,
    ivorey_core::ids::OpportunityId,
    ivorey_core::ids::CalendarId,
    ivorey_core::ids::AppointmentId,
    ivorey_core::ids::FormId,
    ivorey_core::ids::SubmissionId,
    ivorey_core::ids::OrderId,
    ivorey_core::ids::TransactionId,
    ivorey_core::ids::TaskId,
    ivorey_core::ids::CustomFieldId,
    ivorey_core::ids::ConversationId,
    ivorey_core::ids::MessageId,
    ivorey_core::ids::ImportId
);

/// The parameters of one statement: `params![location, contact, note.body]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::sql::Param::from($value)),*][..]
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_text_numbers_its_placeholders() {
        let sql = Sql::new("UPDATE t SET a = $4, b = '$1', \"c$2\" = $10 WHERE id = $1");
        assert_eq!(
            sql.text(Dialect::Sqlite),
            "UPDATE t SET a = ?4, b = '$1', \"c$2\" = ?10 WHERE id = ?1"
        );
        assert_eq!(
            sql.text(Dialect::Postgres),
            "UPDATE t SET a = $4, b = '$1', \"c$2\" = $10 WHERE id = $1"
        );
    }
}
