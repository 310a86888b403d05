//! Contact search: the store trait, and the one SQL builder both backends use (for the list's
//! text query too), so a search gives the same rows on SQLite and PostgreSQL. Every value is a bound parameter; the SQL text
//! holds only fixed column names and operators chosen from the parsed `ContactSearch`.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::ContactSearch;

use crate::error::StoreResult;

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

mod builder;
mod plan;
mod postings;
mod statement;
mod words;

pub use builder::sort_column;
pub use plan::{DRIVEN_PAGE_BELOW, SearchPlan, SearchSql};
pub use statement::{Placeholder, SqlParam, Statement};

pub use postings::{
    LimitReached, Matches, PREFIX_CHARS, PostingIndex, Postings, PostingsPage, fts5_document,
    fts5_location,
};

#[cfg(test)]
mod tests;
