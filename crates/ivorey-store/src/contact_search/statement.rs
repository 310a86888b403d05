//! A search's statements as the builder makes them: SQL text and its bound values.

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Int(i64),
}

/// How a backend writes the n-th placeholder (1-based) for a parameter.
pub type Placeholder = fn(usize, &SqlParam) -> String;

/// One statement and its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlParam>,
}
