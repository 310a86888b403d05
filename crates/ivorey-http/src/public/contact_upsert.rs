//! `POST /contacts/upsert`: updates the location's contact that matches the body, or creates
//! one; answers `{"new": bool, "contact": {...}}`.
//!
//! Matching, within the token's location only: first the email (case-insensitive), then the
//! phone (compared as `+` and digits, see `normalize_phone`); among several contacts with the
//! same key, the oldest. Email wins, as in HighLevel's duplicate rules: when the email matches
//! one contact and the phone another, the email's contact is updated and the other is left
//! alone (HighLevel merges nothing either).

use axum::extract::State;
use ivorey_core::contact::{Contact, CreateContactInput};
use ivorey_core::{ContactId, LocationId, Scope};
use serde_json::{Value, json};

use super::Authed;
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::reply::{Reply, ok};

pub async fn upsert(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<CreateContactInput>,
) -> ApiResult<Reply<Value>> {
    auth.require(Scope::ContactsWrite)?;
    let location = auth
        .check_location(body.location_id.as_deref(), "locationId")?
        .clone();
    let now = state.clock.now();
    let existing = matching_contact(&state, &location, &body).await?;
    if let Some(mut contact) = existing {
        contact.fields = body.into_update().apply_to(contact.fields)?;
        contact.date_updated = now;
        state.store.update_contact(&contact).await?;
        return Ok(ok(json!({ "new": false, "contact": contact.to_json() })));
    }
    let fields = body.into_fields()?;
    let contact = Contact {
        id: ContactId::generate(),
        location_id: location,
        fields,
        date_added: now,
        date_updated: now,
    };
    state.store.insert_contact(&contact).await?;
    Ok(ok(json!({ "new": true, "contact": contact.to_json() })))
}

/// The contact an upsert updates: by email first, then by phone.
async fn matching_contact(
    state: &AppState,
    location: &LocationId,
    body: &CreateContactInput,
) -> ApiResult<Option<Contact>> {
    if let Some(email) = body.email_lower()
        && let Some(found) = state.store.find_contact_by_email(location, &email).await?
    {
        return Ok(Some(found));
    }
    match body.phone_norm() {
        Some(phone) => Ok(state.store.find_contact_by_phone(location, &phone).await?),
        None => Ok(None),
    }
}
