//! Form definitions and their submissions. A submission is stored together with the contact it
//! created or updated, in one transaction.

use async_trait::async_trait;
use ivorey_core::contact::Contact;
use ivorey_core::form::{Form, Submission};
use ivorey_core::ids::FormId;
use ivorey_core::{LocationId, Timestamp};

use crate::error::StoreResult;

/// What a submission does to its contact.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactWrite {
    Insert(Contact),
    Update(Contact),
}

impl ContactWrite {
    pub fn contact(&self) -> &Contact {
        match self {
            ContactWrite::Insert(c) | ContactWrite::Update(c) => c,
        }
    }
}

/// A submissions listing: filters (all must match), newest first, page by offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmissionQuery {
    pub form_id: Option<FormId>,
    /// Created at or after this time.
    pub from: Option<Timestamp>,
    /// Created before this time (exclusive). Paging clients anchor it at their first request,
    /// so rows inserted meanwhile neither shift pages nor appear twice.
    pub until: Option<Timestamp>,
    /// Case-insensitive substring of contact id, name, email or phone.
    pub query: Option<String>,
    pub offset: u64,
    pub limit: u32,
}

/// One page of submissions.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionPage {
    pub submissions: Vec<Submission>,
    /// How many match the filters in total (ignoring offset and limit).
    pub total: u64,
}

/// Forms and submissions. The database keeps a submission in its form's and contact's location;
/// deleting a form deletes its submissions, deleting a contact deletes theirs.
#[async_trait]
pub trait FormStore {
    /// `NotFound` if the location does not exist.
    async fn create_form(&self, form: &Form) -> StoreResult<()>;
    /// The location's forms by creation (oldest first), after skipping `skip`, and the total.
    async fn list_forms(
        &self,
        location: &LocationId,
        skip: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Form>, u64)>;
    async fn get_form(&self, location: &LocationId, id: &FormId) -> StoreResult<Option<Form>>;
    /// A form by id alone: for the public submission endpoint, which has no token and so no
    /// location; the form's location then scopes everything the submission touches.
    async fn find_form(&self, id: &FormId) -> StoreResult<Option<Form>>;
    /// Saves name, fields and `updated_at`; `NotFound` if absent in its location.
    async fn update_form(&self, form: &Form) -> StoreResult<()>;
    /// Deletes the form and its submissions; `NotFound` if absent in the location.
    async fn delete_form(&self, location: &LocationId, id: &FormId) -> StoreResult<()>;
    /// Writes the contact and stores the submission, in one transaction. `NotFound` if the
    /// form, or the contact to update, is no longer in the submission's location.
    async fn record_submission(
        &self,
        contact: &ContactWrite,
        submission: &Submission,
    ) -> StoreResult<()>;
    async fn list_submissions(
        &self,
        location: &LocationId,
        query: &SubmissionQuery,
    ) -> StoreResult<SubmissionPage>;
}
