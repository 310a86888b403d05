//! The contact upsert rule shared by `POST /contacts/upsert` and public form submissions: the
//! location's contact with the body's email (the oldest, if several) is updated, else a new
//! contact is made. Matching is on email only for now: phone matching needs a normalised phone
//! column.

use ivorey_core::contact::{Contact, CreateContactInput};
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{ContactWrite, Store};

use crate::error::ApiResult;

/// Decides the upsert without writing it: the contact to insert or to update, validated.
pub async fn plan_upsert(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: CreateContactInput,
) -> ApiResult<ContactWrite> {
    let existing = match input.email_lower() {
        Some(email) => store.find_contact_by_email(location, &email).await?,
        None => None,
    };
    if let Some(mut contact) = existing {
        contact.fields = input.into_update().apply_to(contact.fields)?;
        contact.date_updated = now;
        return Ok(ContactWrite::Update(contact));
    }
    let fields = input.into_fields()?;
    Ok(ContactWrite::Insert(Contact {
        id: ContactId::generate(),
        location_id: location.clone(),
        fields,
        date_added: now,
        date_updated: now,
    }))
}
