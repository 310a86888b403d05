//! Private Integrations: the `IntegrationStore` impl, and the reads and writes of the
//! integration rows themselves. Tokens live in `tokens.rs`, counters in `usage.rs`; the
//! per-request token lookup stays with each backend (`SqlBackend::token_grant`), whose cache
//! freshness check differs.
//!
//! Every write evicts the integration from this node's grant cache once its transaction has
//! ended (committed or not), before it returns: other nodes and processes learn of it through
//! the database (PostgreSQL's trigger and listener, SQLite's `auth_epoch`).

use async_trait::async_trait;
use ivorey_core::access::TokenGrant;
use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::{GraceToken, Integration, IntegrationPatch, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};

use super::audit::{insert_audit, list_audit};
use super::backend::SqlBackend;
use super::db::{Db, Row, corrupt, id, opt_ts, ts};
use super::statement::{Dialect, Sql};
use super::tokens::{self, Rotation};
use super::usage;
use crate::error::{StoreError, StoreResult};
use crate::records::{UsageBatch, UsageRow};
use crate::{IntegrationStore, params, run};

/// An integration with its current token (`expires_at IS NULL`) and the rotated-out token
/// still in grace at `$1`, if any. Rotation deletes older grace tokens, so there is at most
/// one; the `LIMIT 1` only keeps a hand-edited table from duplicating rows.
macro_rules! select {
    () => {
        "SELECT i.id, i.location_id, i.name, i.description, i.scopes, i.created_by,
             i.created_at, i.updated_at, i.last_used_at, i.expires_at, i.ip_allowlist,
             cur.hint, cur.created_at, prev.hint, prev.expires_at
         FROM integrations i
         LEFT JOIN integration_tokens cur ON cur.integration_id = i.id AND cur.expires_at IS NULL
         LEFT JOIN integration_tokens prev ON prev.token_hash = (
             SELECT t.token_hash FROM integration_tokens t
             WHERE t.integration_id = i.id AND t.expires_at > $1
             ORDER BY t.expires_at DESC LIMIT 1)"
    };
}

static GET: Sql = Sql::new(concat!(
    select!(),
    " WHERE i.location_id = $2 AND i.id = $3"
));
static LIST: Sql = Sql::new(concat!(
    select!(),
    " WHERE i.location_id = $2 ORDER BY i.created_at, i.id"
));
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
static LOCK_PG: Sql =
    Sql::new("SELECT 1 FROM integrations WHERE id = $1 AND location_id = $2 FOR UPDATE");
static EXISTS: Sql = Sql::new("SELECT 1 FROM integrations WHERE id = $1 AND location_id = $2");

fn integration(row: &dyn Row) -> StoreResult<Integration> {
    // Every write keeps exactly one current token; its absence means a damaged row.
    let token_hint = row
        .opt_string(11)?
        .ok_or_else(|| corrupt("integration without a current token"))?;
    let previous_token = match (row.opt_string(13)?, opt_ts(row, 14)?) {
        (Some(token_hint), Some(expires_at)) => Some(GraceToken {
            token_hint,
            expires_at,
        }),
        _ => None,
    };
    Ok(Integration {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        name: row.string(2)?,
        description: row.opt_string(3)?,
        scopes: ScopeSet::from_storage(row.str(4)?),
        created_by: row.string(5)?,
        created_at: ts(row, 6)?,
        updated_at: ts(row, 7)?,
        last_used_at: opt_ts(row, 8)?,
        expires_at: opt_ts(row, 9)?,
        ip_allowlist: IpAllowlist::from_storage(row.str(10)?),
        token_hint,
        token_created_at: ts(row, 12)?,
        previous_token,
    })
}

/// One integration of `location` as it stands at `now`.
pub(super) async fn load(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<Option<Integration>> {
    db.opt(&GET, params![now, location, id], integration).await
}

/// `load` inside a write, for its answer: `NotFound` if it is gone.
pub(super) async fn require(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<Integration> {
    load(db, location, id, now)
        .await?
        .ok_or(StoreError::NotFound)
}

/// `NotFound` unless the integration is in `location`. On PostgreSQL it also locks the row
/// until the transaction ends, so that rotations, expiries and deletes of one integration run
/// one after another instead of interleaving their token changes; SQLite's writes take turns
/// anyway.
pub(super) async fn lock(
    db: &mut dyn Db,
    location: &LocationId,
    id: &IntegrationId,
) -> StoreResult<()> {
    let sql = match db.dialect() {
        Dialect::Postgres => &LOCK_PG,
        Dialect::Sqlite => &EXISTS,
    };
    db.opt(sql, params![id, location], |_| Ok(()))
        .await?
        .ok_or(StoreError::NotFound)
}

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
