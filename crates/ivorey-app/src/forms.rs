//! Form definitions (admins manage them; HighLevel's API only lists them) and the public
//! submission path: check the values against the definition, match the contact by the same
//! rule as `POST /contacts/upsert` (but only fill a matched contact's empty fields: an
//! anonymous poster must not change a contact it merely knows the email of), and store the
//! contact and the submission (with what was submitted) in one transaction.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::form::{Form, FormInput, HONEYPOT_FIELD, Submission};
use ivorey_core::ids::{FormId, SubmissionId};
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{Store, StoreError};
use serde_json::{Map, Value};

use crate::contacts::{Overwrite, plan_upsert};
use crate::error::{AppError, AppResult};

pub const FORM_NOT_FOUND: AppError = AppError::NotFound("Form not found");

/// A form id from a path; a malformed one answers like a missing form.
pub fn form_id(raw: &str) -> AppResult<FormId> {
    FormId::parse(raw).map_err(|_| FORM_NOT_FOUND)
}

pub async fn create_form(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: FormInput,
) -> AppResult<Form> {
    let form = input.into_form(location, now)?;
    store.create_form(&form).await.map_err(|e| match e {
        StoreError::NotFound => AppError::NotFound("Location not found"),
        other => other.into(),
    })?;
    Ok(form)
}

pub async fn get_form(store: &dyn Store, location: &LocationId, id: &str) -> AppResult<Form> {
    let id = form_id(id)?;
    store.get_form(location, &id).await?.ok_or(FORM_NOT_FOUND)
}

/// Replaces the form's name and fields. Stored submissions keep the values they had.
pub async fn update_form(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &str,
    input: FormInput,
) -> AppResult<Form> {
    let form = get_form(store, location, id).await?;
    let form = input.apply_to(form, now)?;
    store.update_form(&form).await.map_err(not_found)?;
    Ok(form)
}

/// Deletes the form and its submissions.
pub async fn delete_form(store: &dyn Store, location: &LocationId, id: &str) -> AppResult<()> {
    let id = form_id(id)?;
    store.delete_form(location, &id).await.map_err(not_found)
}

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => FORM_NOT_FOUND,
        other => other.into(),
    }
}

/// What a public submission came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Stored(SubmissionId),
    /// The honeypot was filled: nothing stored, but the client sees a success all the same.
    Dropped(SubmissionId),
}

/// Stores a public submission to `form`: the honeypot check, then the values, then the contact
/// upsert and the submission in one transaction.
pub async fn submit(
    store: &dyn Store,
    now: Timestamp,
    form: &Form,
    posted: &Map<String, Value>,
) -> AppResult<Submitted> {
    let honeypot = posted
        .get(HONEYPOT_FIELD)
        .is_some_and(|v| !matches!(v, Value::Null) && v.as_str().is_none_or(|s| !s.is_empty()));
    if honeypot {
        return Ok(Submitted::Dropped(SubmissionId::generate()));
    }
    let checked = form.check_submission(posted)?;
    // The submission lists what was posted, whatever the matched contact keeps.
    let posted_fields = checked.contact.clone().into_fields().ok();
    let write = plan_upsert(
        store,
        now,
        &form.location_id,
        checked.contact,
        Overwrite::EmptyOnly,
        ChangedBy::Form(form.id.clone()),
    )
    .await?;
    let contact = write.contact();
    let submitted = posted_fields.as_ref().unwrap_or(&contact.fields);
    let submission = Submission {
        id: SubmissionId::generate(),
        location_id: form.location_id.clone(),
        form_id: form.id.clone(),
        contact_id: contact.id.clone(),
        name: submitted.name.clone(),
        email: submitted.email.clone(),
        phone: submitted.phone.clone(),
        values: checked.values,
        created_at: now,
    };
    store
        .record_submission(&write, &submission)
        .await
        .map_err(|e| match e {
            // The form was deleted, or the matched contact, in the meantime.
            StoreError::NotFound => {
                AppError::Conflict("The form or contact changed meanwhile; submit again.".into())
            }
            other => other.into(),
        })?;
    Ok(Submitted::Stored(submission.id))
}
