//! Users, their memberships of locations, and sign-in sessions (only the hash of a session's
//! id is stored).

use async_trait::async_trait;
use ivorey_core::user::{Membership, Role, User};
use ivorey_core::{LocationId, Timestamp, UserId};

use super::{Db, Param, Row, Sql, SqlBackend, corrupt, id, ts};
use crate::{NewUser, SessionRecord, StoreError, StoreResult, UserStore, params, run};

static INSERT_USER: Sql = Sql::new(
    "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
);
static MEMBERSHIP: Sql = Sql::new(
    "INSERT INTO memberships (location_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (location_id, user_id) DO UPDATE SET role = excluded.role",
);
static BY_EMAIL: Sql =
    Sql::new("SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1");
static MEMBERSHIPS: Sql = Sql::new(
    "SELECT m.location_id, l.name, m.role, l.timezone FROM memberships m
     JOIN locations l ON l.id = m.location_id
     WHERE m.user_id = $1 ORDER BY l.name, l.id",
);
static LOCATION_USERS: Sql = Sql::new(
    "SELECT u.id, u.email, u.name, u.created_at, m.role FROM memberships m
     JOIN users u ON u.id = m.user_id
     WHERE m.location_id = $1 ORDER BY u.name, u.id",
);
static INSERT_SESSION: Sql = Sql::new(
    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)",
);
static FIND_SESSION: Sql = Sql::new(
    "SELECT u.id, u.email, u.name, u.created_at, s.id_hash, s.csrf_token, s.created_at,
         s.expires_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > $2",
);
static DELETE_SESSION: Sql = Sql::new("DELETE FROM sessions WHERE id_hash = $1");
static PURGE_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE expires_at <= $1");

/// Stores a new user; a taken email is `Conflict`.
pub(super) async fn insert_user(db: &mut dyn Db, user: &NewUser) -> StoreResult<()> {
    let p = params![
        &user.id,
        &user.email,
        &user.name,
        &user.password_hash,
        user.created_at
    ];
    match db.execute(&INSERT_USER, p).await {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("email already registered")),
        other => other.map(drop),
    }
}

/// Adds the user to the location with `role`, or changes their role there.
pub(super) async fn upsert_membership(
    db: &mut dyn Db,
    location: &LocationId,
    user: &UserId,
    role: Role,
) -> StoreResult<()> {
    let p = params![location, user, role.as_str()];
    db.execute(&MEMBERSHIP, p).await.map(drop)
}

/// A user from the first four columns.
fn user(row: &dyn Row) -> StoreResult<User> {
    Ok(User {
        id: id(row, 0)?,
        email: row.string(1)?,
        name: row.string(2)?,
        created_at: ts(row, 3)?,
    })
}

fn role(row: &dyn Row, i: usize) -> StoreResult<Role> {
    Role::parse(row.str(i)?).ok_or_else(|| corrupt("role"))
}

#[async_trait]
impl<B: SqlBackend> UserStore for B {
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        run!(self.lookup, [email], |db| {
            let decode = |r: &dyn Row| Ok((user(r)?, r.string(4)?));
            db.opt(&BY_EMAIL, params![&email], decode).await
        })
    }

    async fn create_user(&self, new: &NewUser) -> StoreResult<()> {
        run!(self.write, [new], |db| insert_user(db, &new).await)
    }

    async fn set_membership(
        &self,
        location: &LocationId,
        user_id: &UserId,
        role: Role,
    ) -> StoreResult<()> {
        run!(self.write, [location, user_id], |db| {
            upsert_membership(db, &location, &user_id, role).await
        })
    }

    async fn memberships(&self, user_id: &UserId) -> StoreResult<Vec<Membership>> {
        run!(self.read, [user_id], |db| {
            let decode = |r: &dyn Row| {
                Ok(Membership {
                    location_id: id(r, 0)?,
                    location_name: r.string(1)?,
                    location_timezone: r.opt_string(3)?,
                    role: role(r, 2)?,
                })
            };
            db.rows(&MEMBERSHIPS, params![&user_id], decode).await
        })
    }

    async fn location_users(&self, location: &LocationId) -> StoreResult<Vec<(User, Role)>> {
        run!(self.read, [location], |db| {
            let decode = |r: &dyn Row| Ok((user(r)?, role(r, 4)?));
            db.rows(&LOCATION_USERS, params![&location], decode).await
        })
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        run!(self.write, [session], |db| {
            let p = &[
                Param::Blob(Some(&session.id_hash)),
                (&session.user_id).into(),
                (&session.csrf_token).into(),
                session.created_at.into(),
                session.expires_at.into(),
            ];
            db.execute(&INSERT_SESSION, p).await.map(drop)
        })
    }

    async fn find_session(
        &self,
        id_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<(SessionRecord, User)>> {
        let id_hash = *id_hash;
        run!(self.lookup, [], |db| {
            let decode = |r: &dyn Row| {
                let user = user(r)?;
                let session = SessionRecord {
                    id_hash: r.blob(4)?.try_into().map_err(|_| corrupt("session hash"))?,
                    user_id: user.id.clone(),
                    csrf_token: r.string(5)?,
                    created_at: ts(r, 6)?,
                    expires_at: ts(r, 7)?,
                };
                Ok((session, user))
            };
            let p = &[Param::Blob(Some(&id_hash)), now.into()];
            db.opt(&FIND_SESSION, p, decode).await
        })
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()> {
        let id_hash = *id_hash;
        run!(self.write, [], |db| {
            let p = &[Param::Blob(Some(&id_hash))];
            db.execute(&DELETE_SESSION, p).await.map(drop)
        })
    }

    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        run!(self.write, [], |db| db
            .execute(&PURGE_SESSIONS, params![now])
            .await)
    }
}
