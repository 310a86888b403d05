//! `POST /contacts/upsert`: updates the location's contact with the body's email (the oldest,
//! if several) or creates one; answers `{"new": bool, "contact": {...}}`.
//! Matching is on email only for now: phone matching needs a normalised phone column.

use axum::extract::State;
use ivorey_core::contact::{Contact, CreateContactInput};
use ivorey_core::{ContactId, Scope};
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
    let existing = match body.email_lower() {
        Some(email) => state.store.find_contact_by_email(&location, &email).await?,
        None => None,
    };
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
