//! Storage traits for Ivorey. Each backend (SQLite, PostgreSQL) implements every trait here and
//! passes the same conformance suite, so the server behaves the same on both.
//!
//! Every method that touches a location's data takes the `LocationId` first: a query without the
//! tenant filter cannot be written through these traits.

mod calendars;
pub mod conformance;
mod contact_imports;
pub mod contact_search;
mod conversations;
mod custom_fields;
mod dashboard;
mod error;
mod forms;
pub mod grant_cache;
mod opportunities;
mod payments;
mod rate_limits;
mod records;
pub mod sql;
mod tasks;
pub mod team;

use async_trait::async_trait;
use ivorey_core::access::TokenGrant;
use ivorey_core::audit::AuditEvent;
use ivorey_core::contact::{Contact, Note};
use ivorey_core::ids::NoteId;
use ivorey_core::integration::{Integration, IntegrationPatch};
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::user::{Membership, Role, User};
use ivorey_core::{ContactId, IntegrationId, LocationId, Timestamp, TokenHash, UserId};

pub use calendars::{AgendaItem, CALENDAR_CHANGED, CalendarStore, SLOT_TAKEN};
pub use contact_imports::{
    AppliedRow, ContactImport, ContactImportStore, EncodedRow, ImportRow, ImportStatus, RefusedRow,
    RowOutcome,
};
pub use contact_search::{ContactSearchPage, ContactSearchStore};
pub use conversations::{
    ConversationPage, ConversationQuery, ConversationStore, ConversationView, InboxCursor,
    InboxQuery, MessageQuery,
};
pub use custom_fields::CustomFieldStore;
pub use dashboard::{ChangedRecord, DashboardStore, RecordKind, TaskDue};
pub use error::{StoreError, StoreResult};
pub use forms::{ContactWrite, FormStore, SubmissionPage, SubmissionQuery};
pub use opportunities::{
    BoardCard, BoardQuery, OpportunityStore, PIPELINE_IN_USE, STAGE_IN_USE, StageTotal,
};
pub use payments::{OrderQuery, Page, PaymentOutcome, PaymentStore, TransactionQuery};
pub use rate_limits::{
    DAY_MS, LocationRateLimits, RateCount, RateCounter, RateHit, RateLimitStore,
};
pub use records::{
    AdminAccount, ContactPage, ContactQuery, NewUser, OpportunityPage, OpportunityQuery,
    SessionRecord, UsageBatch, UsageCount, UsageRow,
};
pub use tasks::TaskStore;
pub use team::TeamStore;

/// A `LIKE` pattern matching `query` as a literal substring (`ESCAPE '\\'`): `%`, `_` and `\\`
/// in the query match themselves. Both backends lowercase the query and the searched text.
pub fn contains_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Locations and their business profiles.
#[async_trait]
pub trait LocationStore {
    /// Creates a location and makes `admin` its admin, in one transaction. A new admin whose
    /// email is taken is a `Conflict`.
    async fn create_location(&self, location: &Location, admin: &AdminAccount) -> StoreResult<()>;
    async fn get_location(&self, id: &LocationId) -> StoreResult<Option<Location>>;
    /// Replaces the profile and records `audit`, in one transaction.
    async fn update_business_profile(
        &self,
        id: &LocationId,
        profile: &BusinessProfile,
        audit: &AuditEvent,
    ) -> StoreResult<Location>;
    async fn count_locations(&self) -> StoreResult<u64>;
}

/// Users, memberships and sign-in sessions.
#[async_trait]
pub trait UserStore {
    /// The user with this (normalised) email and their password hash.
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn create_user(&self, user: &NewUser) -> StoreResult<()>;
    /// Adds or changes the user's role in the location.
    async fn set_membership(
        &self,
        location: &LocationId,
        user: &UserId,
        role: Role,
    ) -> StoreResult<()>;
    async fn memberships(&self, user: &UserId) -> StoreResult<Vec<Membership>>;
    /// The members of a location with their roles, ordered by name then id.
    async fn location_users(&self, location: &LocationId) -> StoreResult<Vec<(User, Role)>>;
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// A live session (not expired at `now`) by the hash of its id, with its user.
    async fn find_session(
        &self,
        id_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<(SessionRecord, User)>>;
    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
}

/// Private Integrations, their token hashes, audit log and usage counters.
#[async_trait]
pub trait IntegrationStore {
    /// Stores a new integration with the hash of its first token and the audit entry.
    async fn create_integration(
        &self,
        integration: &Integration,
        token_hash: &TokenHash,
        audit: &AuditEvent,
    ) -> StoreResult<()>;
    async fn list_integrations(
        &self,
        location: &LocationId,
        now: Timestamp,
    ) -> StoreResult<Vec<Integration>>;
    /// One integration of the location; `None` if absent or in another location.
    async fn get_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
    ) -> StoreResult<Option<Integration>>;
    /// The location an integration belongs to, for operator commands that name only the id.
    async fn integration_location(&self, id: &IntegrationId) -> StoreResult<Option<LocationId>>;
    /// Applies `patch`; `NotFound` if absent. The token is unchanged.
    async fn update_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        patch: &IntegrationPatch,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration>;
    /// Replaces the current token. The replaced token keeps working until `old_expires_at`, or
    /// stops at once when it is `None`; a token already in grace from an earlier rotation ends
    /// at once either way.
    #[expect(
        clippy::too_many_arguments,
        reason = "one transaction's inputs, each distinct"
    )]
    async fn rotate_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        new_hash: &TokenHash,
        new_hint: &str,
        old_expires_at: Option<Timestamp>,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration>;
    /// Ends the grace of a rotated-out token now; `NotFound` if there is none.
    async fn expire_previous_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration>;
    /// Deletes the integration and all its tokens; `NotFound` if absent.
    async fn delete_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        audit: &AuditEvent,
    ) -> StoreResult<()>;
    /// The hot path: what a token hash grants, or `None` for an unknown (or deleted) token.
    /// Expiry is the caller's to check, against its clock.
    async fn token_grant(&self, hash: &TokenHash) -> StoreResult<Option<TokenGrant>>;
    /// Removes grace tokens that expired before `now`; returns how many.
    async fn purge_expired_tokens(&self, now: Timestamp) -> StoreResult<u64>;
    /// Newest first; only `integration`'s entries when given.
    async fn audit_log(
        &self,
        location: &LocationId,
        integration: Option<&IntegrationId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// Adds the batch's counts and moves `last_used_at` forward; entries of integrations that no
    /// longer exist are dropped.
    async fn record_usage(&self, batch: &UsageBatch) -> StoreResult<()>;
    /// Daily counts per scope from `from_day` (days since the epoch) on.
    async fn usage(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        from_day: i64,
    ) -> StoreResult<Vec<UsageRow>>;
}

/// Contacts.
#[async_trait]
pub trait ContactStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// Inserts new contacts (any locations) in one transaction: all of them or, on an error
    /// (one already exists, a location is missing), none (`ivorey seed`).
    async fn insert_contacts(&self, contacts: &[Contact]) -> StoreResult<()>;
    /// Every contact of the location whose lowercased email is one of `emails` or whose
    /// normalised phone is one of `phones`, in no order: the upsert lookups of a whole batch
    /// (an import's) in two statements. The caller picks the oldest per key, as
    /// `find_contact_by_email` and `find_contact_by_phone` do.
    async fn find_contacts_by_keys(
        &self,
        location: &LocationId,
        emails: &[String],
        phones: &[String],
    ) -> StoreResult<Vec<Contact>>;
    async fn get_contact(
        &self,
        location: &LocationId,
        id: &ContactId,
    ) -> StoreResult<Option<Contact>>;
    /// The oldest contact of the location with this lowercased email, for upserts.
    async fn find_contact_by_email(
        &self,
        location: &LocationId,
        email_lower: &str,
    ) -> StoreResult<Option<Contact>>;
    /// The oldest contact of the location with this normalised phone
    /// (`ivorey_core::contact::normalize_phone`), for upserts and duplicate search.
    async fn find_contact_by_phone(
        &self,
        location: &LocationId,
        phone_norm: &str,
    ) -> StoreResult<Option<Contact>>;
    /// Saves the contact's fields and `date_updated`; `NotFound` if absent in its location.
    async fn update_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// `NotFound` if absent in the location.
    async fn delete_contact(&self, location: &LocationId, id: &ContactId) -> StoreResult<()>;
    /// A page in `(date_added, id)` order after the query's cursor, and the total matching.
    async fn list_contacts(
        &self,
        location: &LocationId,
        query: &ContactQuery,
    ) -> StoreResult<ContactPage>;
}

/// Notes on contacts. The database keeps a note in its contact's location and deletes it with
/// the contact; a note of another location, or of another contact, is not found.
#[async_trait]
pub trait NoteStore {
    /// The contact's notes, oldest first (`date_added`, then id).
    async fn list_notes(
        &self,
        location: &LocationId,
        contact: &ContactId,
    ) -> StoreResult<Vec<Note>>;
    async fn get_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<Option<Note>>;
    /// `NotFound` if its contact is not in the location.
    async fn insert_note(&self, location: &LocationId, note: &Note) -> StoreResult<()>;
    /// Saves the body and user; `NotFound` if absent in the location and contact.
    async fn update_note(&self, location: &LocationId, note: &Note) -> StoreResult<()>;
    /// `NotFound` if absent in the location and contact.
    async fn delete_note(
        &self,
        location: &LocationId,
        contact: &ContactId,
        id: &NoteId,
    ) -> StoreResult<()>;
}

/// Everything a backend provides.
#[async_trait]
pub trait Store:
    LocationStore
    + UserStore
    + IntegrationStore
    + ContactStore
    + NoteStore
    + OpportunityStore
    + FormStore
    + CalendarStore
    + ContactSearchStore
    + TaskStore
    + CustomFieldStore
    + RateLimitStore
    + ConversationStore
    + PaymentStore
    + DashboardStore
    + TeamStore
    + ContactImportStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// `sqlite` or `postgres`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;
    /// The cache behind `token_grant`, for its metrics; `None` if the backend has none.
    fn grant_cache(&self) -> Option<&grant_cache::GrantCache> {
        None
    }
}
