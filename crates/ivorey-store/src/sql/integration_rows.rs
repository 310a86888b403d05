//! Reading integration rows, with their current and grace tokens, and the existence check
//! (a row lock on PostgreSQL) that the token changes start with.

use ivorey_core::integration::{GraceToken, Integration, IpAllowlist};
use ivorey_core::{IntegrationId, LocationId, ScopeSet, Timestamp};

use super::db::{Db, Row, corrupt, id, opt_ts, ts};
use super::statement::{Dialect, Sql};
use crate::error::{StoreError, StoreResult};
use crate::params;

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
pub(super) static LIST: Sql = Sql::new(concat!(
    select!(),
    " WHERE i.location_id = $2 ORDER BY i.created_at, i.id"
));
static LOCK_PG: Sql =
    Sql::new("SELECT 1 FROM integrations WHERE id = $1 AND location_id = $2 FOR UPDATE");
static EXISTS: Sql = Sql::new("SELECT 1 FROM integrations WHERE id = $1 AND location_id = $2");

pub(super) fn integration(row: &dyn Row) -> StoreResult<Integration> {
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
