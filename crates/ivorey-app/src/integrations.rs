//! Creating, editing, rotating and deleting Private Integrations, each with its audit entry.

use ivorey_core::audit::{Actor, AuditAction, AuditEvent};
use ivorey_core::integration::{
    Integration, IntegrationDraft, IntegrationInput, IntegrationPatch, IntegrationPatchInput,
    RotationExpiry,
};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, Token};
use ivorey_store::Store;

use crate::error::{AppError, AppResult};

/// An integration with a token that is being shown for the first and only time.
#[derive(Debug)]
pub struct Issued {
    pub integration: Integration,
    pub token: Token,
}

const NOT_FOUND: AppError = AppError::NotFound("Private Integration not found");

fn audit(
    integration: &Integration,
    action: AuditAction,
    detail: String,
    actor: &Actor,
    now: Timestamp,
) -> AuditEvent {
    AuditEvent {
        location_id: integration.location_id.clone(),
        integration_id: Some(integration.id.clone()),
        integration_name: Some(integration.name.clone()),
        actor: actor.label.clone(),
        actor_user_id: actor.user_id.clone(),
        action,
        detail,
        ip: actor.ip.clone(),
        at: now,
    }
}

fn scope_list(scopes: ScopeSet) -> String {
    scopes
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn create(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: &IntegrationInput,
    actor: &Actor,
) -> AppResult<Issued> {
    let draft = IntegrationDraft::parse(input, now)?;
    if store.get_location(location).await?.is_none() {
        return Err(AppError::NotFound("Location not found"));
    }
    let token = Token::generate();
    let integration = Integration {
        id: IntegrationId::generate(),
        location_id: location.clone(),
        name: draft.name,
        description: draft.description,
        scopes: draft.scopes,
        created_by: actor.label.clone(),
        created_at: now,
        updated_at: now,
        last_used_at: None,
        token_hint: token.hint(),
        token_created_at: now,
        previous_token: None,
        expires_at: draft.expires_at,
        ip_allowlist: draft.ip_allowlist,
    };
    let detail = format!("scopes: {}", scope_list(integration.scopes));
    let entry = audit(
        &integration,
        AuditAction::IntegrationCreated,
        detail,
        actor,
        now,
    );
    store
        .create_integration(&integration, &token.hash(), &entry)
        .await?;
    Ok(Issued { integration, token })
}

pub async fn get(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
) -> AppResult<Integration> {
    store
        .get_integration(location, id, now)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn edit(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
    input: &IntegrationPatchInput,
    actor: &Actor,
) -> AppResult<Integration> {
    let patch = IntegrationPatch::parse(input, now)?;
    let current = get(store, now, location, id).await?;
    let entry = audit(
        &current,
        AuditAction::IntegrationUpdated,
        describe_patch(&current, &patch),
        actor,
        now,
    );
    store
        .update_integration(location, id, &patch, now, &entry)
        .await
        .map_err(not_found_as_integration)
}

/// A readable summary of what an edit changes, for the audit log.
fn describe_patch(current: &Integration, patch: &IntegrationPatch) -> String {
    let mut changes = Vec::new();
    if let Some(name) = &patch.name {
        changes.push(format!("name: {:?} -> {:?}", current.name, name));
    }
    if patch.description.is_some() {
        changes.push("description changed".to_owned());
    }
    if let Some(scopes) = patch.scopes {
        changes.push(format!(
            "scopes: [{}] -> [{}]",
            scope_list(current.scopes),
            scope_list(scopes)
        ));
    }
    if let Some(expiry) = patch.expires_at {
        changes.push(match expiry {
            Some(at) => format!("expires at {at}"),
            None => "expiry removed".to_owned(),
        });
    }
    if let Some(list) = &patch.ip_allowlist {
        changes.push(if list.is_empty() {
            "IP allowlist removed".to_owned()
        } else {
            format!("IP allowlist: {}", list.to_storage())
        });
    }
    changes.join("; ")
}

pub async fn rotate(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
    expiry: RotationExpiry,
    actor: &Actor,
) -> AppResult<Issued> {
    let current = get(store, now, location, id).await?;
    let token = Token::generate();
    let old_expires_at = expiry.old_token_expires_at(now);
    let (action, detail) = match old_expires_at {
        Some(at) => (
            AuditAction::TokenRotatedExpireLater,
            format!("old token ...{} works until {at}", current.token_hint),
        ),
        None => (
            AuditAction::TokenRotatedExpireNow,
            format!("old token ...{} revoked", current.token_hint),
        ),
    };
    let entry = audit(&current, action, detail, actor, now);
    let integration = store
        .rotate_token(
            location,
            id,
            &token.hash(),
            &token.hint(),
            old_expires_at,
            now,
            &entry,
        )
        .await
        .map_err(not_found_as_integration)?;
    Ok(Issued { integration, token })
}

pub async fn expire_old_token(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
    actor: &Actor,
) -> AppResult<Integration> {
    let current = get(store, now, location, id).await?;
    let Some(previous) = &current.previous_token else {
        return Err(AppError::Conflict(
            "This integration has no old token in a grace period.".into(),
        ));
    };
    let detail = format!(
        "old token ...{} revoked before its grace ended",
        previous.token_hint
    );
    let entry = audit(&current, AuditAction::OldTokenExpired, detail, actor, now);
    store
        .expire_previous_token(location, id, now, &entry)
        .await
        .map_err(|e| match e {
            // The grace ended between our read and the write: the outcome the caller wanted.
            ivorey_store::StoreError::NotFound => {
                AppError::Conflict("This integration has no old token in a grace period.".into())
            }
            other => other.into(),
        })
}

pub async fn delete(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &IntegrationId,
    actor: &Actor,
) -> AppResult<Integration> {
    let current = get(store, now, location, id).await?;
    let entry = audit(
        &current,
        AuditAction::IntegrationDeleted,
        "access revoked".into(),
        actor,
        now,
    );
    store
        .delete_integration(location, id, &entry)
        .await
        .map_err(not_found_as_integration)?;
    Ok(current)
}

fn not_found_as_integration(e: ivorey_store::StoreError) -> AppError {
    match e {
        ivorey_store::StoreError::NotFound => NOT_FOUND,
        other => other.into(),
    }
}
