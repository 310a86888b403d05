//! Private Integrations, their token hashes and the audit log in SQLite.

use async_trait::async_trait;
use ivorey_core::access::TokenGrant;
use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::{GraceToken, Integration, IntegrationPatch, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};
use ivorey_store::{IntegrationStore, StoreError, StoreResult, UsageBatch, UsageRow};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::locations::{conversion_err, insert_audit};
use crate::{SqliteStore, db_err};

/// The integration's columns plus its current token (expires_at NULL) and its grace token
/// (expires_at after now), if any.
const SELECT_INTEGRATION: &str = "
    SELECT i.id, i.location_id, i.name, i.description, i.scopes, i.created_by, i.created_at,
           i.updated_at, i.last_used_at, i.expires_at, i.ip_allowlist,
           cur.hint, cur.created_at, prev.hint, prev.expires_at
    FROM integrations i
    LEFT JOIN integration_tokens cur ON cur.integration_id = i.id AND cur.expires_at IS NULL
    LEFT JOIN integration_tokens prev ON prev.integration_id = i.id AND prev.expires_at > ?1";

fn integration_from_row(row: &Row<'_>) -> rusqlite::Result<Integration> {
    let id: String = row.get(0)?;
    let location: String = row.get(1)?;
    let scopes: String = row.get(4)?;
    let allowlist: String = row.get(10)?;
    let previous = match (
        row.get::<_, Option<String>>(13)?,
        row.get::<_, Option<i64>>(14)?,
    ) {
        (Some(token_hint), Some(at)) => Some(GraceToken {
            token_hint,
            expires_at: Timestamp(at),
        }),
        _ => None,
    };
    Ok(Integration {
        id: IntegrationId::parse(&id).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&location).map_err(|e| conversion_err(1, e))?,
        name: row.get(2)?,
        description: row.get(3)?,
        scopes: ScopeSet::from_storage(&scopes),
        created_by: row.get(5)?,
        created_at: Timestamp(row.get(6)?),
        updated_at: Timestamp(row.get(7)?),
        last_used_at: row.get::<_, Option<i64>>(8)?.map(Timestamp),
        expires_at: row.get::<_, Option<i64>>(9)?.map(Timestamp),
        ip_allowlist: IpAllowlist::from_storage(&allowlist),
        token_hint: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
        token_created_at: Timestamp(row.get::<_, Option<i64>>(12)?.unwrap_or_default()),
        previous_token: previous,
    })
}

fn load(
    conn: &Connection,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<Option<Integration>> {
    conn.prepare_cached(&format!(
        "{SELECT_INTEGRATION} WHERE i.id = ?2 AND i.location_id = ?3"
    ))
    .map_err(db_err)?
    .query_row(
        params![now.0, id.as_str(), location.as_str()],
        integration_from_row,
    )
    .optional()
    .map_err(db_err)
}

/// Loads the integration inside a write transaction, or `NotFound`.
fn require(
    conn: &Connection,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<Integration> {
    load(conn, location, id, now)?.ok_or(StoreError::NotFound)
}

fn insert_token(
    tx: &Connection,
    id: &IntegrationId,
    hash: &TokenHash,
    hint: &str,
    now: Timestamp,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO integration_tokens (token_hash, integration_id, hint, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, NULL)",
        params![&hash.0[..], id.as_str(), hint, now.0],
    )
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl IntegrationStore for SqliteStore {
    async fn create_integration(
        &self,
        i: &Integration,
        token_hash: &TokenHash,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (i, hash, audit) = (i.clone(), *token_hash, audit.clone());
        self.call(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            tx.execute(
                "INSERT INTO integrations (id, location_id, name, description, scopes, created_by,
                    created_at, updated_at, last_used_at, expires_at, ip_allowlist)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10)",
                params![
                    i.id.as_str(),
                    i.location_id.as_str(),
                    i.name,
                    i.description,
                    i.scopes.to_storage(),
                    i.created_by,
                    i.created_at.0,
                    i.updated_at.0,
                    i.expires_at.map(|t| t.0),
                    i.ip_allowlist.to_storage()
                ],
            )
            .map_err(db_err)?;
            insert_token(&tx, &i.id, &hash, &i.token_hint, i.token_created_at)?;
            insert_audit(&tx, &audit).map_err(db_err)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn list_integrations(
        &self,
        location: &LocationId,
        now: Timestamp,
    ) -> StoreResult<Vec<Integration>> {
        let location = location.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "{SELECT_INTEGRATION} WHERE i.location_id = ?2 ORDER BY i.created_at, i.id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![now.0, location.as_str()], integration_from_row)
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn get_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
    ) -> StoreResult<Option<Integration>> {
        let (location, id) = (location.clone(), id.clone());
        self.read(move |conn| load(conn, &location, &id, now)).await
    }

    async fn integration_location(&self, id: &IntegrationId) -> StoreResult<Option<LocationId>> {
        let id = id.clone();
        self.read(move |conn| {
            let found: Option<String> = conn
                .query_row(
                    "SELECT location_id FROM integrations WHERE id = ?1",
                    [id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            Ok(found.and_then(|l| LocationId::parse(&l).ok()))
        })
        .await
    }

    async fn update_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        patch: &IntegrationPatch,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let (location, id, patch, audit) =
            (location.clone(), id.clone(), patch.clone(), audit.clone());
        let evicted = id.clone();
        let result = self
            .call(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(db_err)?;
                let current = require(&tx, &location, &id, now)?;
                let name = patch.name.clone().unwrap_or(current.name);
                let description = patch.description.clone().unwrap_or(current.description);
                let scopes = patch.scopes.unwrap_or(current.scopes);
                let expires_at = patch.expires_at.unwrap_or(current.expires_at);
                let allowlist = patch.ip_allowlist.clone().unwrap_or(current.ip_allowlist);
                tx.execute(
                "UPDATE integrations SET name = ?3, description = ?4, scopes = ?5, expires_at = ?6,
                    ip_allowlist = ?7, updated_at = ?8 WHERE id = ?1 AND location_id = ?2",
                params![
                    id.as_str(),
                    location.as_str(),
                    name,
                    description,
                    scopes.to_storage(),
                    expires_at.map(|t| t.0),
                    allowlist.to_storage(),
                    now.0
                ],
            )
            .map_err(db_err)?;
                insert_audit(&tx, &audit).map_err(db_err)?;
                let updated = require(&tx, &location, &id, now)?;
                tx.commit().map_err(db_err)?;
                Ok(updated)
            })
            .await;
        // Other processes learn of it through `auth_epoch`; this one forgets at once.
        self.grants.evict_integration(&evicted);
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
        let (location, id, hash, hint, audit) = (
            location.clone(),
            id.clone(),
            *new_hash,
            new_hint.to_owned(),
            audit.clone(),
        );
        let evicted = id.clone();
        let result = self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
            require(&tx, &location, &id, now)?;
            // Only one token may be in grace: an older one ends now.
            tx.execute("DELETE FROM integration_tokens WHERE integration_id = ?1 AND expires_at IS NOT NULL", [id.as_str()])
                .map_err(db_err)?;
            match old_expires_at {
                Some(at) => tx.execute(
                    "UPDATE integration_tokens SET expires_at = ?2 WHERE integration_id = ?1 AND expires_at IS NULL",
                    params![id.as_str(), at.0],
                ),
                None => tx.execute(
                    "DELETE FROM integration_tokens WHERE integration_id = ?1 AND expires_at IS NULL",
                    [id.as_str()],
                ),
            }
            .map_err(db_err)?;
            insert_token(&tx, &id, &hash, &hint, now)?;
            tx.execute("UPDATE integrations SET updated_at = ?2 WHERE id = ?1", params![id.as_str(), now.0])
                .map_err(db_err)?;
            insert_audit(&tx, &audit).map_err(db_err)?;
            let rotated = require(&tx, &location, &id, now)?;
            tx.commit().map_err(db_err)?;
            Ok(rotated)
        })
        .await;
        // Other processes learn of it through `auth_epoch`; this one forgets at once.
        self.grants.evict_integration(&evicted);
        result
    }

    async fn expire_previous_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let (location, id, audit) = (location.clone(), id.clone(), audit.clone());
        let evicted = id.clone();
        let result = self
            .call(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(db_err)?;
                require(&tx, &location, &id, now)?;
                let removed = tx
                .execute(
                    "DELETE FROM integration_tokens WHERE integration_id = ?1 AND expires_at > ?2",
                    params![id.as_str(), now.0],
                )
                .map_err(db_err)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.execute(
                    "UPDATE integrations SET updated_at = ?2 WHERE id = ?1",
                    params![id.as_str(), now.0],
                )
                .map_err(db_err)?;
                insert_audit(&tx, &audit).map_err(db_err)?;
                let updated = require(&tx, &location, &id, now)?;
                tx.commit().map_err(db_err)?;
                Ok(updated)
            })
            .await;
        // Other processes learn of it through `auth_epoch`; this one forgets at once.
        self.grants.evict_integration(&evicted);
        result
    }

    async fn delete_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (location, id, audit) = (location.clone(), id.clone(), audit.clone());
        let evicted = id.clone();
        let result = self
            .call(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(db_err)?;
                // Tokens and usage go with it (ON DELETE CASCADE).
                let removed = tx
                    .execute(
                        "DELETE FROM integrations WHERE id = ?1 AND location_id = ?2",
                        params![id.as_str(), location.as_str()],
                    )
                    .map_err(db_err)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                insert_audit(&tx, &audit).map_err(db_err)?;
                tx.commit().map_err(db_err)
            })
            .await;
        // Other processes learn of it through `auth_epoch`; this one forgets at once.
        self.grants.evict_integration(&evicted);
        result
    }

    async fn token_grant(&self, hash: &TokenHash) -> StoreResult<Option<TokenGrant>> {
        crate::tokens::cached_grant(self, hash).await
    }

    async fn purge_expired_tokens(&self, now: Timestamp) -> StoreResult<u64> {
        self.call(move |conn| {
            let n = conn
                .execute("DELETE FROM integration_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?1", [now.0])
                .map_err(db_err)?;
            Ok(n as u64)
        })
        .await
    }

    async fn audit_log(
        &self,
        location: &LocationId,
        integration: Option<&IntegrationId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let (location, integration) = (location.clone(), integration.cloned());
        self.read(move |conn| crate::audit::log(conn, &location, integration.as_ref(), limit))
            .await
    }

    async fn record_usage(&self, batch: &UsageBatch) -> StoreResult<()> {
        let batch = batch.clone();
        self.call(move |conn| crate::usage::record(conn, &batch))
            .await
    }

    async fn usage(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        from_day: i64,
    ) -> StoreResult<Vec<UsageRow>> {
        let (location, id) = (location.clone(), id.clone());
        self.read(move |conn| crate::usage::rows(conn, &location, &id, from_day))
            .await
    }
}
