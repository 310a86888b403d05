//! Users, memberships and sessions in SQLite.

use async_trait::async_trait;
use ivorey_core::user::{Membership, Role, User};
use ivorey_core::{LocationId, Timestamp, UserId};
use ivorey_store::{NewUser, SessionRecord, StoreError, StoreResult, UserStore};
use rusqlite::{OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

pub(crate) fn insert_user(tx: &rusqlite::Transaction<'_>, user: &NewUser) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![user.id.as_str(), user.email, user.name, user.password_hash, user.created_at.0],
    )
    .map_err(|e| {
        if is_unique_violation(&e) { StoreError::Conflict("email already registered") } else { db_err(e) }
    })?;
    Ok(())
}

fn user_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<User> {
    let id: String = row.get(first)?;
    Ok(User {
        id: UserId::parse(&id).map_err(|e| conversion_err(first, e))?,
        email: row.get(first + 1)?,
        name: row.get(first + 2)?,
        created_at: Timestamp(row.get(first + 3)?),
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let email = email.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?1",
            )
            .map_err(db_err)?
            .query_row([email], |row| Ok((user_from_row(row, 0)?, row.get(4)?)))
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn create_user(&self, user: &NewUser) -> StoreResult<()> {
        let user = user.clone();
        self.call(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            insert_user(&tx, &user)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn set_membership(
        &self,
        location: &LocationId,
        user: &UserId,
        role: Role,
    ) -> StoreResult<()> {
        let (location, user) = (location.clone(), user.clone());
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO memberships (location_id, user_id, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT (location_id, user_id) DO UPDATE SET role = excluded.role",
                params![location.as_str(), user.as_str(), role.as_str()],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::NotFound,
                _ => db_err(e),
            })?;
            Ok(())
        })
        .await
    }

    async fn memberships(&self, user: &UserId) -> StoreResult<Vec<Membership>> {
        let user = user.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT l.id, l.name, m.role FROM memberships m JOIN locations l ON l.id = m.location_id
                     WHERE m.user_id = ?1 ORDER BY l.name, l.id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map([user.as_str()], |row| {
                    let id: String = row.get(0)?;
                    let role: String = row.get(2)?;
                    Ok(Membership {
                        location_id: LocationId::parse(&id).map_err(|e| conversion_err(0, e))?,
                        location_name: row.get(1)?,
                        role: Role::parse(&role).unwrap_or(Role::User),
                    })
                })
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn location_users(&self, location: &LocationId) -> StoreResult<Vec<(User, Role)>> {
        let location = location.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT u.id, u.email, u.name, u.created_at, m.role FROM memberships m
                     JOIN users u ON u.id = m.user_id
                     WHERE m.location_id = ?1 ORDER BY u.name, u.id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map([location.as_str()], |row| {
                    let role: String = row.get(4)?;
                    let role = Role::parse(&role)
                        .ok_or_else(|| conversion_err(4, ivorey_core::ids::InvalidId))?;
                    Ok((user_from_row(row, 0)?, role))
                })
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
        let s = s.clone();
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![&s.id_hash[..], s.user_id.as_str(), s.csrf_token, s.created_at.0, s.expires_at.0],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn find_session(
        &self,
        id_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<(SessionRecord, User)>> {
        let id_hash = *id_hash;
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT u.id, u.email, u.name, u.created_at, s.csrf_token, s.created_at, s.expires_at
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2",
            )
            .map_err(db_err)?
            .query_row(params![&id_hash[..], now.0], |row| {
                let user = user_from_row(row, 0)?;
                let session = SessionRecord {
                    id_hash,
                    user_id: user.id.clone(),
                    csrf_token: row.get(4)?,
                    created_at: Timestamp(row.get(5)?),
                    expires_at: Timestamp(row.get(6)?),
                };
                Ok((session, user))
            })
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()> {
        let id_hash = *id_hash;
        self.call(move |conn| {
            conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [&id_hash[..]])
                .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        self.call(move |conn| {
            let n = conn
                .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now.0])
                .map_err(db_err)?;
            Ok(n as u64)
        })
        .await
    }
}
