//! Plain records that cross the store boundary and are not domain types of their own.

use ivorey_core::UserId;
use ivorey_core::contact::Contact;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus};
use ivorey_core::{ContactId, IntegrationId, LocationId, PipelineId, Scope, StageId, Timestamp};

/// A user to create, with the argon2id PHC string of their password.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: Timestamp,
}

/// Who becomes admin of a new location.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminAccount {
    New(NewUser),
    Existing(UserId),
}

/// A sign-in session. Only the SHA-256 of the session id is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id_hash: [u8; 32],
    pub user_id: UserId,
    /// The synchronizer token that unsafe requests must echo in `X-CSRF-Token`.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// One counter increment: requests by an integration on a day using a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UsageCount {
    pub integration_id: IntegrationId,
    /// Days since the epoch, UTC.
    pub day: i64,
    /// The scope the endpoint required, or `None` for scope-less calls such as introspection.
    pub scope: Option<Scope>,
    pub count: u64,
}

/// What the usage recorder flushes at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageBatch {
    pub counts: Vec<UsageCount>,
    pub last_used: Vec<(IntegrationId, Timestamp)>,
}

/// One row of usage, for the integration's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub day: i64,
    /// The scope name, or empty for scope-less calls.
    pub scope: String,
    pub count: u64,
}

/// A contacts list request: keyset cursor, page size and an optional text query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactQuery {
    /// Return contacts strictly after this `(date_added, id)`.
    pub after: Option<(Timestamp, String)>,
    pub limit: u32,
    /// Words that must each start a word of the contact (`ivorey_core::contact_terms`).
    pub query: Option<String>,
}

/// One page of contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    /// How many contacts match the query in total (ignoring the cursor).
    pub total: u64,
}

impl ContactPage {
    pub fn location_ids_are(&self, location: &LocationId) -> bool {
        self.contacts.iter().all(|c| &c.location_id == location)
    }
}

/// An opportunity search: filters (all must match), then a keyset cursor on
/// `(created_at, id)` and/or an offset for page-numbered clients, and a page size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpportunityQuery {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub contact_id: Option<ContactId>,
    pub status: Option<OpportunityStatus>,
    pub assigned_to: Option<String>,
    /// Case-insensitive substring of the name.
    pub query: Option<String>,
    /// Return opportunities strictly after this `(created_at, id)`.
    pub after: Option<(Timestamp, String)>,
    /// Rows to skip after the cursor (page-numbered search).
    pub offset: u64,
    pub limit: u32,
    /// Leave `total` at 0 instead of counting every match (a scan of the filtered rows): for
    /// a caller that knows the count already, e.g. from the stage totals.
    pub skip_total: bool,
}

/// One page of opportunities.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityPage {
    pub opportunities: Vec<Opportunity>,
    /// How many match the filters in total (ignoring cursor, offset and limit).
    pub total: u64,
}
