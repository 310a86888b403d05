//! The contact upsert rule shared by `POST /contacts/upsert` and public form submissions.
//!
//! Matching, within the location only: first the email (case-insensitive), then the phone
//! (compared as `+` and digits, see `normalize_phone`); among several contacts with the same
//! key, the oldest. Email wins, as in HighLevel's duplicate rules: when the email matches one
//! contact and the phone another, the email's contact is updated and the other is left alone.
//! An anonymous form submission that matches a contact only fills its empty fields
//! (`Overwrite::EmptyOnly`); the token-authorised upsert overwrites (`Overwrite::All`).

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, CreateContactInput};
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{ContactWrite, Store};

use crate::error::AppResult;

/// What an upsert that matched an existing contact may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Every field the input sets (`POST /contacts/upsert`, with a token).
    All,
    /// Only the contact's empty fields (a public form: the poster proves nothing).
    EmptyOnly,
}

/// Decides the upsert without writing it: the contact to insert or to update, validated, with
/// `by` as its last changer (and creator, when new).
pub async fn plan_upsert(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: CreateContactInput,
    overwrite: Overwrite,
    by: ChangedBy,
) -> AppResult<ContactWrite> {
    let existing = matching_contact(store, location, &input).await?;
    upsert_onto(existing, now, location, input, overwrite, by)
}

/// The upsert of `input` onto the contact it matched (`existing`, found by this module's rule),
/// or a new contact: for callers that know of matches the store cannot see yet (an import's
/// earlier rows in the same batch).
pub fn upsert_onto(
    existing: Option<Contact>,
    now: Timestamp,
    location: &LocationId,
    input: CreateContactInput,
    overwrite: Overwrite,
    by: ChangedBy,
) -> AppResult<ContactWrite> {
    if let Some(mut contact) = existing {
        contact.fields = match overwrite {
            Overwrite::All => input.into_update().apply_to(contact.fields)?,
            Overwrite::EmptyOnly => input.fill_empty(contact.fields)?,
        };
        contact.date_updated = now;
        contact.changed_by(by, false);
        return Ok(ContactWrite::Update(contact));
    }
    let fields = input.into_fields()?;
    let mut contact = Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields,
        date_added: now,
        date_updated: now,
    };
    contact.changed_by(by, true);
    Ok(ContactWrite::Insert(contact))
}

/// The contact an upsert updates: by email first, then by phone.
pub async fn matching_contact(
    store: &dyn Store,
    location: &LocationId,
    input: &CreateContactInput,
) -> AppResult<Option<Contact>> {
    if let Some(email) = input.email_lower()
        && let Some(found) = store.find_contact_by_email(location, &email).await?
    {
        return Ok(Some(found));
    }
    match input.phone_norm() {
        Some(phone) => Ok(store.find_contact_by_phone(location, &phone).await?),
        None => Ok(None),
    }
}
