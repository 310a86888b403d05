//! Private Integrations: the `IntegrationStore` impl, and the reads and writes of the
//! integration rows themselves. Tokens live in `tokens.rs`, counters in `usage.rs`.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ivorey_core::access::TokenGrant;
use ivorey_core::audit::AuditEvent;
use ivorey_core::integration::{GraceToken, Integration, IntegrationPatch, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp, TokenHash};
use ivorey_store::{IntegrationStore, StoreError, StoreResult, UsageBatch, UsageRow};
use tokio_postgres::Row;

use crate::error::{corrupt, db_err};
use crate::row::{get, id, opt_ts, ts};
use crate::{PgStore, audit, tokens, usage};

/// An integration with its current token (`expires_at IS NULL`) and the rotated-out token
/// still in grace at `$1`, if any. Rotation deletes older grace tokens, so there is at most
/// one; the `LIMIT 1` only keeps a hand-edited table from duplicating rows.
const SELECT: &str = "SELECT i.id, i.location_id, i.name, i.description, i.scopes, \
    i.created_by, i.created_at, i.updated_at, i.last_used_at, i.expires_at, i.ip_allowlist, \
    cur.hint AS token_hint, cur.created_at AS token_created_at, \
    prev.hint AS previous_hint, prev.expires_at AS previous_expires_at \
    FROM integrations i \
    LEFT JOIN integration_tokens cur ON cur.integration_id = i.id AND cur.expires_at IS NULL \
    LEFT JOIN LATERAL (SELECT t.hint, t.expires_at FROM integration_tokens t \
        WHERE t.integration_id = i.id AND t.expires_at > $1 \
        ORDER BY t.expires_at DESC LIMIT 1) prev ON true";

fn from_row(row: &Row) -> StoreResult<Integration> {
    // Every write keeps exactly one current token; its absence means a damaged row.
    let token_hint: Option<String> = get(row, "token_hint")?;
    let token_hint = token_hint.ok_or_else(|| corrupt("integration without a current token"))?;
    let previous_hint: Option<String> = get(row, "previous_hint")?;
    let previous_token = match (previous_hint, opt_ts(row, "previous_expires_at")?) {
        (Some(token_hint), Some(expires_at)) => Some(GraceToken {
            token_hint,
            expires_at,
        }),
        _ => None,
    };
    Ok(Integration {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        name: get(row, "name")?,
        description: get(row, "description")?,
        scopes: ScopeSet::from_storage(get(row, "scopes")?),
        created_by: get(row, "created_by")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
        last_used_at: opt_ts(row, "last_used_at")?,
        token_hint,
        token_created_at: ts(row, "token_created_at")?,
        previous_token,
        expires_at: opt_ts(row, "expires_at")?,
        ip_allowlist: IpAllowlist::from_storage(get(row, "ip_allowlist")?),
    })
}

/// One integration of `location` as it stands at `now`.
pub(crate) async fn load<C: GenericClient>(
    client: &C,
    location: &LocationId,
    id: &IntegrationId,
    now: Timestamp,
) -> StoreResult<Option<Integration>> {
    let sql = format!("{SELECT} WHERE i.location_id = $2 AND i.id = $3");
    let row = client
        .query_opt(&sql, &[&now.millis(), &location.as_str(), &id.as_str()])
        .await
        .map_err(db_err)?;
    row.as_ref().map(from_row).transpose()
}

/// Locks the integration's row until the transaction ends, so that rotations, expiries and
/// deletes of one integration run one after another instead of interleaving their token
/// changes. `NotFound` if it is absent or in another location.
pub(crate) async fn lock<C: GenericClient>(
    client: &C,
    location: &LocationId,
    id: &IntegrationId,
) -> StoreResult<()> {
    client
        .query_opt(
            "SELECT 1 FROM integrations WHERE id = $1 AND location_id = $2 FOR UPDATE",
            &[&id.as_str(), &location.as_str()],
        )
        .await
        .map_err(db_err)?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl IntegrationStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn create_integration(
        &self,
        integration: &Integration,
        token_hash: &TokenHash,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let i = integration;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        tx.execute(
            "INSERT INTO integrations (id, location_id, name, description, scopes, created_by, \
             created_at, updated_at, last_used_at, expires_at, ip_allowlist) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &i.id.as_str(),
                &i.location_id.as_str(),
                &i.name,
                &i.description,
                &i.scopes.to_storage(),
                &i.created_by,
                &i.created_at.millis(),
                &i.updated_at.millis(),
                &i.last_used_at.map(Timestamp::millis),
                &i.expires_at.map(Timestamp::millis),
                &i.ip_allowlist.to_storage(),
            ],
        )
        .await
        .map_err(db_err)?;
        tokens::insert_current(&tx, &i.id, token_hash, &i.token_hint, i.token_created_at).await?;
        audit::insert(&tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(skip_all)]
    async fn list_integrations(
        &self,
        location: &LocationId,
        now: Timestamp,
    ) -> StoreResult<Vec<Integration>> {
        let client = self.client().await?;
        let sql = format!("{SELECT} WHERE i.location_id = $2 ORDER BY i.created_at, i.id");
        let rows = client
            .query(&sql, &[&now.millis(), &location.as_str()])
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn get_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
    ) -> StoreResult<Option<Integration>> {
        let client = self.client().await?;
        load(&client, location, id, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn integration_location(&self, id: &IntegrationId) -> StoreResult<Option<LocationId>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT location_id FROM integrations WHERE id = $1",
                &[&id.as_str()],
            )
            .await
            .map_err(db_err)?;
        row.map(|row| crate::row::id(&row, "location_id"))
            .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        patch: &IntegrationPatch,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let result: StoreResult<Integration> = async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db_err)?;
            // Each optional field is "keep" when its parameter is NULL (or its flag false, for the
            // two fields that can also be cleared).
            let changed = tx
                .execute(
                    "UPDATE integrations SET \
                     name = COALESCE($3::text, name), \
                     description = CASE WHEN $4::boolean THEN $5::text ELSE description END, \
                     scopes = COALESCE($6::text, scopes), \
                     expires_at = CASE WHEN $7::boolean THEN $8::bigint ELSE expires_at END, \
                     ip_allowlist = COALESCE($9::text, ip_allowlist), \
                     updated_at = $10 \
                     WHERE id = $1 AND location_id = $2",
                    &[
                        &id.as_str(),
                        &location.as_str(),
                        &patch.name,
                        &patch.description.is_some(),
                        &patch.description.clone().flatten(),
                        &patch.scopes.map(ScopeSet::to_storage),
                        &patch.expires_at.is_some(),
                        &patch.expires_at.flatten().map(Timestamp::millis),
                        &patch.ip_allowlist.as_ref().map(IpAllowlist::to_storage),
                        &now.millis(),
                    ],
                )
                .await
                .map_err(db_err)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            audit::insert(&tx, audit).await?;
            let integration = load(&tx, location, id, now)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await.map_err(db_err)?;
            Ok(integration)
        }
        .await;
        // Other nodes are notified by the trigger; this one forgets at once.
        self.grants.evict_integration(id);
        result
    }

    #[tracing::instrument(skip_all)]
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
        let rotation = tokens::Rotation {
            new_hash,
            new_hint,
            old_expires_at,
        };
        let result = tokens::rotate(self, location, id, &rotation, now, audit).await;
        self.grants.evict_integration(id);
        result
    }

    #[tracing::instrument(skip_all)]
    async fn expire_previous_token(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        now: Timestamp,
        audit: &AuditEvent,
    ) -> StoreResult<Integration> {
        let result = tokens::expire_previous(self, location, id, now, audit).await;
        self.grants.evict_integration(id);
        result
    }

    #[tracing::instrument(skip_all)]
    async fn delete_integration(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let result: StoreResult<()> = async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db_err)?;
            // Tokens and usage counters go with it (ON DELETE CASCADE); the audit trail stays.
            let deleted = tx
                .execute(
                    "DELETE FROM integrations WHERE id = $1 AND location_id = $2",
                    &[&id.as_str(), &location.as_str()],
                )
                .await
                .map_err(db_err)?;
            if deleted == 0 {
                return Err(StoreError::NotFound);
            }
            audit::insert(&tx, audit).await?;
            tx.commit().await.map_err(db_err)
        }
        .await;
        self.grants.evict_integration(id);
        result
    }

    #[tracing::instrument(skip_all)]
    async fn token_grant(&self, hash: &TokenHash) -> StoreResult<Option<TokenGrant>> {
        tokens::cached_grant(self, hash).await
    }

    #[tracing::instrument(skip_all)]
    async fn purge_expired_tokens(&self, now: Timestamp) -> StoreResult<u64> {
        tokens::purge_expired(self, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn audit_log(
        &self,
        location: &LocationId,
        integration: Option<&IntegrationId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let client = self.client().await?;
        audit::list(&client, location, integration, limit).await
    }

    #[tracing::instrument(skip_all)]
    async fn record_usage(&self, batch: &UsageBatch) -> StoreResult<()> {
        usage::record(self, batch).await
    }

    #[tracing::instrument(skip_all)]
    async fn usage(
        &self,
        location: &LocationId,
        id: &IntegrationId,
        from_day: i64,
    ) -> StoreResult<Vec<UsageRow>> {
        usage::rows(self, location, id, from_day).await
    }
}
