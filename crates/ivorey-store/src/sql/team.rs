//! A location's team: adding, re-roling and removing members, and one-time sign-in links.
//!
//! The last admin: a demotion or removal is one guarded statement (it changes the row only if
//! the member is not an admin, or another admin remains). On SQLite the write holds the
//! database's write lock from its first statement, so two such changes take turns. On
//! PostgreSQL (READ COMMITTED) two concurrent demotions would each still see the other admin,
//! so the write first locks the location's row (`FOR UPDATE`): team changes of one location
//! take turns, and the guard of the second runs on a snapshot taken after the first committed.

use async_trait::async_trait;
use ivorey_core::audit::AuditEvent;
use ivorey_core::user::{Role, User};
use ivorey_core::{LocationId, Timestamp, UserId};

use super::audit::insert_audit;
use super::{Db, Dialect, Param, Row, Sql, SqlBackend, corrupt, id, opt_ts, ts};
use crate::team::{
    ALREADY_MEMBER, AddedMember, LAST_ADMIN, Member, NewSignInLink, SignInLinkGrant, TeamStore,
};
use crate::{NewUser, StoreError, StoreResult, params, run};

static MEMBERS: Sql = Sql::new(
    "SELECT u.id, u.email, u.name, u.created_at, m.role, COALESCE(m.added_at, u.created_at),
         u.invited_at
     FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.location_id = $1 ORDER BY u.name, u.id",
);
static MEMBER: Sql = Sql::new(
    "SELECT u.id, u.email, u.name, u.created_at, m.role, COALESCE(m.added_at, u.created_at),
         u.invited_at
     FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.location_id = $1 AND m.user_id = $2",
);
static USER_BY_EMAIL: Sql =
    Sql::new("SELECT id, email, name, created_at, invited_at FROM users WHERE email = $1");
static INSERT_INVITED_USER: Sql = Sql::new(
    "INSERT INTO users (id, email, name, password_hash, created_at, invited_at)
     VALUES ($1, $2, $3, $4, $5, $5)",
);
static IS_MEMBER: Sql =
    Sql::new("SELECT count(*) FROM memberships WHERE location_id = $1 AND user_id = $2");
static OTHER_LOCATIONS: Sql =
    Sql::new("SELECT count(*) FROM memberships WHERE user_id = $1 AND location_id <> $2");
static INSERT_MEMBERSHIP: Sql = Sql::new(
    "INSERT INTO memberships (location_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)",
);
static DROP_UNUSED_LINKS: Sql =
    Sql::new("DELETE FROM sign_in_links WHERE user_id = $1 AND used_at IS NULL");
static INSERT_LINK: Sql = Sql::new(
    "INSERT INTO sign_in_links (token_hash, user_id, location_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)",
);
static LOCK_LOCATION: Sql = Sql::new("SELECT id FROM locations WHERE id = $1 FOR UPDATE");
/// `$3` is the new role: the row changes unless that leaves the location without an admin.
static CHANGE_ROLE: Sql = Sql::new(
    "UPDATE memberships SET role = $3
     WHERE location_id = $1 AND user_id = $2
       AND ($3 = 'admin' OR role <> 'admin' OR EXISTS (
           SELECT 1 FROM memberships o
           WHERE o.location_id = $1 AND o.user_id <> $2 AND o.role = 'admin'))",
);
static REMOVE: Sql = Sql::new(
    "DELETE FROM memberships
     WHERE location_id = $1 AND user_id = $2
       AND (role <> 'admin' OR EXISTS (
           SELECT 1 FROM memberships o
           WHERE o.location_id = $1 AND o.user_id <> $2 AND o.role = 'admin'))",
);
static DROP_LOCATION_LINKS: Sql =
    Sql::new("DELETE FROM sign_in_links WHERE location_id = $1 AND user_id = $2");
static END_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE user_id = $1");
static FIND_LINK: Sql = Sql::new(
    "SELECT u.id, u.email, u.name, u.created_at, k.location_id
     FROM sign_in_links k
     JOIN users u ON u.id = k.user_id
     JOIN memberships m ON m.location_id = k.location_id AND m.user_id = k.user_id
     WHERE k.token_hash = $1 AND k.used_at IS NULL AND k.expires_at > $2",
);
/// Uses a live link once: a concurrent use waits for this row and then no longer matches.
static USE_LINK: Sql = Sql::new(
    "UPDATE sign_in_links SET used_at = $2
     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
       AND EXISTS (SELECT 1 FROM memberships m
           WHERE m.location_id = sign_in_links.location_id
             AND m.user_id = sign_in_links.user_id)
     RETURNING user_id",
);
static SET_PASSWORD: Sql =
    Sql::new("UPDATE users SET password_hash = $2, invited_at = NULL WHERE id = $1");
static USER: Sql = Sql::new("SELECT id, email, name, created_at FROM users WHERE id = $1");

fn user(row: &dyn Row) -> StoreResult<User> {
    Ok(User {
        id: id(row, 0)?,
        email: row.string(1)?,
        name: row.string(2)?,
        created_at: ts(row, 3)?,
    })
}

fn member(row: &dyn Row) -> StoreResult<Member> {
    Ok(Member {
        user: user(row)?,
        role: Role::parse(row.str(4)?).ok_or_else(|| corrupt("role"))?,
        added_at: ts(row, 5)?,
        invited: opt_ts(row, 6)?.is_some(),
    })
}

fn count(row: &dyn Row) -> StoreResult<i64> {
    row.int(0)
}

/// A user found by email, with whether they still have no password of their own.
fn found_user(row: &dyn Row) -> StoreResult<(User, bool)> {
    Ok((user(row)?, opt_ts(row, 4)?.is_some()))
}

/// Locks the location's row on PostgreSQL (see the module's note); `NotFound` if it is gone.
async fn lock_location(db: &mut dyn Db, location: &LocationId) -> StoreResult<()> {
    if db.dialect() == Dialect::Postgres {
        let p = params![location];
        let locked = db.opt(&LOCK_LOCATION, p, |r| r.string(0)).await?;
        locked.ok_or(StoreError::NotFound)?;
    }
    Ok(())
}

/// Why a guarded change of `user` changed nothing: not a member, or the last admin.
async fn refusal(db: &mut dyn Db, location: &LocationId, user: &UserId) -> StoreError {
    match db.one(&IS_MEMBER, params![location, user], count).await {
        Ok(0) => StoreError::NotFound,
        Ok(_) => StoreError::Conflict(LAST_ADMIN),
        Err(e) => e,
    }
}

async fn add(
    db: &mut dyn Db,
    location: &LocationId,
    new: &NewUser,
    role: Role,
    link: &NewSignInLink,
    audit: &AuditEvent,
) -> StoreResult<AddedMember> {
    let existing = db
        .opt(&USER_BY_EMAIL, params![&new.email], found_user)
        .await?;
    let (user_id, created, invited) = match existing {
        Some((user, invited)) => (user.id, false, invited),
        None => {
            let p = params![
                &new.id,
                &new.email,
                &new.name,
                &new.password_hash,
                new.created_at
            ];
            db.execute(&INSERT_INVITED_USER, p).await?;
            (new.id.clone(), true, true)
        }
    };
    if db
        .one(&IS_MEMBER, params![location, &user_id], count)
        .await?
        > 0
    {
        return Err(StoreError::Conflict(ALREADY_MEMBER));
    }
    let p = params![location, &user_id, role.as_str(), new.created_at];
    match db.execute(&INSERT_MEMBERSHIP, p).await {
        // Someone added them at the same moment.
        Err(StoreError::Conflict(_)) => return Err(StoreError::Conflict(ALREADY_MEMBER)),
        other => other?,
    };
    let elsewhere = db
        .one(&OTHER_LOCATIONS, params![&user_id, location], count)
        .await?;
    let link_stored = invited && elsewhere == 0;
    if link_stored {
        db.execute(&DROP_UNUSED_LINKS, params![&user_id]).await?;
        let p = &[
            Param::Blob(Some(&link.token_hash)),
            (&user_id).into(),
            location.into(),
            link.created_at.into(),
            link.expires_at.into(),
        ];
        db.execute(&INSERT_LINK, p).await?;
    }
    insert_audit(db, audit).await?;
    let member = db
        .opt(&MEMBER, params![location, &user_id], member)
        .await?
        .ok_or_else(|| StoreError::Other("a new member vanished in its transaction".into()))?;
    Ok(AddedMember {
        member,
        created,
        link_stored,
    })
}

async fn redeem(
    db: &mut dyn Db,
    token_hash: &[u8; 32],
    now: Timestamp,
    password_hash: &str,
    audit: &AuditEvent,
) -> StoreResult<User> {
    let p = &[Param::Blob(Some(token_hash)), now.into()];
    let user_id: UserId = db
        .opt(&USE_LINK, p, |r| id(r, 0))
        .await?
        .ok_or(StoreError::NotFound)?;
    db.change(&SET_PASSWORD, params![&user_id, password_hash])
        .await?;
    db.execute(&DROP_UNUSED_LINKS, params![&user_id]).await?;
    insert_audit(db, audit).await?;
    db.opt(&USER, params![&user_id], user)
        .await?
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl<B: SqlBackend> TeamStore for B {
    async fn team_members(&self, location: &LocationId) -> StoreResult<Vec<Member>> {
        run!(self.read, [location], |db| db
            .rows(&MEMBERS, params![&location], member)
            .await)
    }

    async fn team_member(
        &self,
        location: &LocationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>> {
        run!(self.read, [location, user], |db| db
            .opt(&MEMBER, params![&location, &user], member)
            .await)
    }

    async fn add_member(
        &self,
        location: &LocationId,
        new: &NewUser,
        role: Role,
        link: &NewSignInLink,
        audit: &AuditEvent,
    ) -> StoreResult<AddedMember> {
        run!(self.write, [location, new, link, audit], |db| {
            add(db, &location, &new, role, &link, &audit).await
        })
    }

    async fn change_member_role(
        &self,
        location: &LocationId,
        user: &UserId,
        role: Role,
        audit: &AuditEvent,
    ) -> StoreResult<Member> {
        run!(self.write, [location, user, audit], |db| {
            lock_location(db, &location).await?;
            let p = params![&location, &user, role.as_str()];
            if db.execute(&CHANGE_ROLE, p).await? == 0 {
                return Err(refusal(db, &location, &user).await);
            }
            insert_audit(db, &audit).await?;
            db.opt(&MEMBER, params![&location, &user], member)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    async fn remove_member(
        &self,
        location: &LocationId,
        user: &UserId,
        audit: &AuditEvent,
    ) -> StoreResult<u64> {
        run!(self.write, [location, user, audit], |db| {
            lock_location(db, &location).await?;
            if db.execute(&REMOVE, params![&location, &user]).await? == 0 {
                return Err(refusal(db, &location, &user).await);
            }
            db.execute(&DROP_LOCATION_LINKS, params![&location, &user])
                .await?;
            let ended = db.execute(&END_SESSIONS, params![&user]).await?;
            insert_audit(db, &audit).await?;
            Ok(ended)
        })
    }

    async fn find_sign_in_link(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<SignInLinkGrant>> {
        let token_hash = *token_hash;
        run!(self.read, [], |db| {
            let decode = |r: &dyn Row| {
                Ok(SignInLinkGrant {
                    user: user(r)?,
                    location_id: id(r, 4)?,
                })
            };
            let p = &[Param::Blob(Some(&token_hash)), now.into()];
            db.opt(&FIND_LINK, p, decode).await
        })
    }

    async fn redeem_sign_in_link(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
        password_hash: &str,
        audit: &AuditEvent,
    ) -> StoreResult<User> {
        let token_hash = *token_hash;
        run!(self.write, [password_hash, audit], |db| {
            redeem(db, &token_hash, now, &password_hash, &audit).await
        })
    }
}
