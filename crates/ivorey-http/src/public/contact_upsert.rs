//! `POST /contacts/upsert`: updates the location's contact that matches the body's email, else
//! its phone, or creates one; answers `{"new": bool, "contact": {...}}`. The matching rule is
//! `app::contacts::plan_upsert`, shared with public form submissions.

use axum::extract::State;
use ivorey_app::contacts::{Overwrite, plan_upsert};
use ivorey_core::contact::CreateContactInput;
use ivorey_store::ContactWrite;
use serde_json::{Value, json};

use super::Granted;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::reply::{Reply, ok};
use crate::state::AppState;

pub async fn upsert(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CreateContactInput>,
) -> ApiResult<Reply<Value>> {
    let location = granted
        .check_location(body.location_id.as_deref(), "locationId")?
        .clone();
    let now = state.clock.now();
    let by = granted.changer();
    match plan_upsert(
        state.store.as_ref(),
        now,
        &location,
        body,
        Overwrite::All,
        by,
    )
    .await?
    {
        ContactWrite::Update(contact) => {
            state.store.update_contact(&contact).await?;
            Ok(ok(json!({ "new": false, "contact": contact.to_json() })))
        }
        ContactWrite::Insert(contact) => {
            state.store.insert_contact(&contact).await?;
            Ok(ok(json!({ "new": true, "contact": contact.to_json() })))
        }
    }
}
