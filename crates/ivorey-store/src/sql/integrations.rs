//! Private Integrations: the `IntegrationStore` impl and the writes of the integration rows
//! themselves. Their reads live in `integration_rows.rs`, tokens in `tokens.rs`, counters in
//! `usage.rs`; the per-request token lookup stays with each backend
//! (`SqlBackend::token_grant`), whose cache freshness check differs.
//!
//! Every write evicts the integration from this node's grant cache once its transaction has
//! ended (committed or not), before it returns: other nodes and processes learn of it through
//! the database (PostgreSQL's trigger and listener, SQLite's `auth_epoch`).

use async_trait::async_trait;
use ivorey_core::access::TokenGrant;
use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::{Integration, IntegrationPatch, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};

use super::audit::{insert_audit, list_audit};
use super::backend::SqlBackend;
use super::db::id;
use super::integration_rows::{LIST, integration, load, require};
use super::statement::Sql;
use super::tokens::{self, Rotation};
use super::usage;
use crate::error::{StoreError, StoreResult};
use crate::records::{UsageBatch, UsageRow};
use crate::{IntegrationStore, params, run};

static LOCATION: Sql = Sql::new("SELECT location_id FROM integrations WHERE id = $1");

static INSERT: Sql = Sql::new(
    "INSERT INTO integrations (id, location_id, name, description, scopes, created_by,
         created_at, updated_at, last_used_at, expires_at, ip_allowlist)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
);

/// Each optional field is "keep" when its parameter is NULL (or its flag false, for the two
/// fields that can also be cleared), so the change is one statement, without a read first.
static UPDATE: Sql = Sql::new(
    "UPDATE integrations SET
         name = COALESCE(CAST($3 AS TEXT), name),
         description = CASE WHEN CAST($4 AS BOOLEAN) THEN CAST($5 AS TEXT) ELSE description END,
         scopes = COALESCE(CAST($6 AS TEXT), scopes),
         expires_at = CASE WHEN CAST($7 AS BOOLEAN) THEN CAST($8 AS BIGINT) ELSE expires_at END,
         ip_allowlist = COALESCE(CAST($9 AS TEXT), ip_allowlist),
         updated_at = $10
     WHERE id = $1 AND location_id = $2",
);

/// Tokens and usage counters go with it (ON DELETE CASCADE); the audit trail stays.
static DELETE: Sql = Sql::new("DELETE FROM integrations WHERE id = $1 AND location_id = $2");

#[async_trait]
impl<B: SqlBackend> IntegrationStore for B {
    async fn create_integration(
        &self,
        integration: &Integration,
        token_hash: &TokenHash,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let hash = *token_hash;
        let evicted = integration.id.clone();
        let result = run!(self.write, [integration, audit], |db| {
            let i = &integration;
            let (scopes, allowlist) = (i.scopes.to_storage(), i.ip_allowlist.to_storage());
            let p = params![
                &i.id,
                &i.location_id,
                &i.name,
                &i.description,
                &scopes,
                &i.created_by,
                i.created_at,
                i.updated_at,
                i.last_used_at,
                i.expires_at,
                &allowlist
            ];
            match db.execute(&INSERT, p).await {
                Err(StoreError::Conflict(_)) => {
                    return Err(StoreError::Conflict("integration already exists"));
                }
                other => other?,
            };
            tokens::insert_current(db, &i.id, &hash, &i.token_hint, i.token_created_at).await?;
            insert_audit(db, &audit).await
        });
        self.grants().evict_integration(&evicted);
        result
    }

    async fn list_integrations(
        &self,
        location: &LocationId,
        now: Timestamp,
    ) -> StoreResult<Vec<Integration>> {
        run!(self.read, [location], |db| {
            db.rows(&LIST, params![now, &location], integration).await
        })
    }

    async fn get_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
    ) -> StoreResult<Option<Integration>> {
        run!(self.read, [location, id], |db| {
            load(db, &location, &id, now).await
        })
    }

    async fn integration_location(
        &self,
        integration: &IntegrationId,
    ) -> StoreResult<Option<LocationId>> {
        run!(self.read, [integration], |db| {
            db.opt(&LOCATION, params![&integration], |r| id(r, 0)).await
        })
    }

    async fn update_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        patch: &IntegrationPatch,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let result = run!(self.write, [location, id, patch, audit], |db| {
            let description = patch.description.clone().flatten();
            let scopes = patch.scopes.map(ScopeSet::to_storage);
            let allowlist = patch.ip_allowlist.as_ref().map(IpAllowlist::to_storage);
            let p = params![
                &id,
                &location,
                &patch.name,
                patch.description.is_some(),
                &description,
                &scopes,
                patch.expires_at.is_some(),
                patch.expires_at.flatten(),
                &allowlist,
                now
            ];
            db.change(&UPDATE, p).await?;
            insert_audit(db, &audit).await?;
            require(db, &location, &id, now).await
        });
        self.grants().evict_integration(id);
        result
    }

    async fn rotate_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        new_hash: &TokenHash,
        new_hint: &str,
        old_expires_at: Option<Timestamp>,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let rotation = Rotation {
            new_hash: *new_hash,
            new_hint: new_hint.to_owned(),
            old_expires_at,
        };
        let result = run!(self.write, [location, id, rotation, audit], |db| {
            tokens::rotate(db, &location, &id, &rotation, now, &audit).await
        });
        self.grants().evict_integration(id);
        result
    }

    async fn expire_previous_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let result = run!(self.write, [location, id, audit], |db| {
            tokens::expire_previous(db, &location, &id, now, &audit).await
        });
        self.grants().evict_integration(id);
        result
    }

    async fn delete_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let result = run!(self.write, [location, id, audit], |db| {
            db.change(&DELETE, params![&id, &location]).await?;
            insert_audit(db, &audit).await
        });
        self.grants().evict_integration(id);
        result
    }

    async fn token_grant(&self, hash: &TokenHash) -> StoreResult<Option<TokenGrant>> {
        SqlBackend::token_grant(self, hash).await
    }

    async fn purge_expired_tokens(&self, now: Timestamp) -> StoreResult<u64> {
        run!(self.write, [], |db| tokens::purge_expired(db, now).await)
    }

    async fn audit_log(
        &self,
        location: &LocationId,
        integration: Option<&IntegrationId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let integration = integration.cloned();
        run!(self.read, [location, integration], |db| {
            list_audit(db, &location, integration.as_ref(), limit).await
        })
    }

    async fn record_usage(&self, batch: &UsageBatch) -> StoreResult<()> {
        let Some(merged) = usage::Merged::of(batch) else {
            return Ok(());
        };
        run!(self.write, [merged], |db| usage::record(db, &merged).await)
    }

    async fn usage(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        from_day: i64,
    ) -> StoreResult<Vec<UsageRow>> {
        run!(self.read, [location, id], |db| {
            usage::rows(db, &location, &id, from_day).await
        })
    }
}
