//! Users, their memberships in locations, and sign-in sessions (stored only as hashes).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ivorey_core::user::{Membership, Role, User};
use ivorey_core::{LocationId, Timestamp, UserId};
use ivorey_store::{NewUser, SessionRecord, StoreResult, UserStore};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{get, id, ts};

/// Inserts a user; a taken email is `Conflict("email already registered")`.
pub(crate) async fn insert_user<C: GenericClient>(client: &C, user: &NewUser) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO users (id, email, name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &user.id.as_str(),
                &user.email,
                &user.name,
                &user.password_hash,
                &user.created_at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Adds the membership, or changes its role if it exists.
pub(crate) async fn upsert_membership<C: GenericClient>(
    client: &C,
    location: &LocationId,
    user: &UserId,
    role: Role,
) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO memberships (location_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (location_id, user_id) DO UPDATE SET role = EXCLUDED.role",
            &[&location.as_str(), &user.as_str(), &role.as_str()],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

fn user_from_row(row: &Row) -> StoreResult<User> {
    Ok(User {
        id: id(row, "id")?,
        email: get(row, "email")?,
        name: get(row, "name")?,
        created_at: ts(row, "created_at")?,
    })
}

fn hash_array(bytes: &[u8]) -> StoreResult<[u8; 32]> {
    bytes.try_into().map_err(|_| corrupt("session hash"))
}

#[async_trait]
impl UserStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1",
                &[&email],
            )
            .await
            .map_err(db_err)?;
        row.map(|row| Ok((user_from_row(&row)?, get(&row, "password_hash")?)))
            .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn create_user(&self, user: &NewUser) -> StoreResult<()> {
        let client = self.client().await?;
        insert_user(&client, user).await
    }

    #[tracing::instrument(skip_all)]
    async fn set_membership(
        &self,
        location: &LocationId,
        user: &UserId,
        role: Role,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        upsert_membership(&client, location, user, role).await
    }

    #[tracing::instrument(skip_all)]
    async fn memberships(&self, user: &UserId) -> StoreResult<Vec<Membership>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT m.location_id, l.name, m.role FROM memberships m \
                 JOIN locations l ON l.id = m.location_id \
                 WHERE m.user_id = $1 ORDER BY l.name, l.id",
                &[&user.as_str()],
            )
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(Membership {
                    location_id: id(row, "location_id")?,
                    location_name: get(row, "name")?,
                    role: Role::parse(get(row, "role")?).ok_or_else(|| corrupt("role"))?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn location_users(&self, location: &LocationId) -> StoreResult<Vec<(User, Role)>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT u.id, u.email, u.name, u.created_at, m.role FROM memberships m \
                 JOIN users u ON u.id = m.user_id \
                 WHERE m.location_id = $1 ORDER BY u.name, u.id",
                &[&location.as_str()],
            )
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let role = Role::parse(get(row, "role")?).ok_or_else(|| corrupt("role"))?;
                Ok((user_from_row(row)?, role))
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &session.id_hash.as_slice(),
                    &session.user_id.as_str(),
                    &session.csrf_token,
                    &session.created_at.millis(),
                    &session.expires_at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Runs on every signed-in request, so the statement is prepared once per connection.
    #[tracing::instrument(skip_all)]
    async fn find_session(
        &self,
        id_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<(SessionRecord, User)>> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT s.id_hash, s.csrf_token, s.created_at AS session_created_at, \
                 s.expires_at, u.id, u.email, u.name, u.created_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id_hash = $1 AND s.expires_at > $2",
            )
            .await
            .map_err(db_err)?;
        let row = client
            .query_opt(&statement, &[&id_hash.as_slice(), &now.millis()])
            .await
            .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        let session = SessionRecord {
            id_hash: hash_array(get(&row, "id_hash")?)?,
            user_id: user.id.clone(),
            csrf_token: get(&row, "csrf_token")?,
            created_at: ts(&row, "session_created_at")?,
            expires_at: ts(&row, "expires_at")?,
        };
        Ok(Some((session, user)))
    }

    #[tracing::instrument(skip_all)]
    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                &[&id_hash.as_slice()],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// A session whose `expires_at` is `now` is already dead to `find_session`, so it goes too.
    #[tracing::instrument(skip_all)]
    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&now.millis()],
            )
            .await
            .map_err(db_err)
    }
}
