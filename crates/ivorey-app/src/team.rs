//! Settings > Team, for the web page, the management API and `ivorey admin add-user` alike:
//! adding a member (a new user gets a one-time sign-in link, or with the location's SMTP
//! server an invitation email carrying it), changing a role, removing a member (their sessions
//! end at once), and the link's use: the user sets a password and is signed in. The last admin
//! of a location can be neither demoted nor removed (the store guards it in the writing
//! transaction). Each change is written with its audit entry.

mod invitation;

use std::time::Duration;

use ivorey_core::audit::{Actor, AuditAction, AuditEvent};
use ivorey_core::error::bounded_text;
use ivorey_core::password::{check_new_password, hash_password};
use ivorey_core::user::{Role, User, normalize_email};
use ivorey_core::{LocationId, Timestamp, UserId, ValidationErrors, random};
use ivorey_store::team::{ALREADY_MEMBER, LAST_ADMIN, Member, NewSignInLink, SignInLinkGrant};
use ivorey_store::{NewUser, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

pub use invitation::INVITATION_TIMEOUT;

/// How long a sign-in link works.
pub const LINK_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The path under which links are served; the token follows.
pub const LINK_PATH: &str = "/invite/";
/// Base62 characters of a link's token (256 bits, like a session id).
const TOKEN_CHARS: usize = 43;

const LAST_ADMIN_MESSAGE: &str = "A business needs at least one admin. Make another member an \
    admin first, then change or remove this one.";
const LINK_GONE: &str = "Sign-in link not valid";

/// A new member as an admin describes them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMember {
    pub name: String,
    pub email: String,
    pub role: String,
}

/// How a new user is told about their account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invite {
    /// Email the link when the location has an SMTP server, else hand it to the admin
    /// (the web page and the management API).
    EmailIfConfigured,
    /// Always hand the link to the caller (the operator's CLI).
    Link,
}

/// What adding a member did, and the link to hand over (present only here, once).
#[derive(Debug)]
pub struct Added {
    pub member: Member,
    /// A new account was created for them.
    pub created: bool,
    /// The one-time sign-in link, when the admin has to hand it over: not when the invitation
    /// email went out, and not for someone who already has a password (they sign in as usual).
    pub sign_in_url: Option<String>,
    pub expires_at: Option<Timestamp>,
    /// The invitation email was sent.
    pub emailed: bool,
    /// Why the invitation email could not be sent (the link is then handed over instead).
    pub email_failed: Option<String>,
}

/// What removing a member did.
#[derive(Debug)]
pub struct Removed {
    pub member: Member,
    /// Their sessions that ended (on every device, for every location of theirs).
    pub sessions_ended: u64,
}

fn entry(
    location: &LocationId,
    actor: &Actor,
    action: AuditAction,
    detail: String,
    now: Timestamp,
) -> AuditEvent {
    AuditEvent {
        location_id: location.clone(),
        integration_id: None,
        integration_name: None,
        actor: actor.label.clone(),
        actor_user_id: actor.user_id.clone(),
        action,
        detail,
        ip: actor.ip.clone(),
        at: now,
    }
}

/// The SHA-256 stored for a link's token.
fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A token as it may appear in a link; anything else cannot be one of ours.
fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// argon2 takes tens of milliseconds of CPU: keep it off the async workers.
async fn hash_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing task failed: {e}")))
}

fn parse_role(raw: &str, errors: &mut ValidationErrors) -> Option<Role> {
    let role = Role::parse(raw.trim());
    if role.is_none() {
        errors.add("role", "must be admin or user");
    }
    role
}

fn member_id(raw: &str) -> AppResult<UserId> {
    UserId::parse(raw.trim()).map_err(|_| AppError::NotFound("Member not found"))
}

fn team_error(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Member not found"),
        StoreError::Conflict(LAST_ADMIN) => AppError::Conflict(LAST_ADMIN_MESSAGE.into()),
        StoreError::Conflict(ALREADY_MEMBER) => {
            AppError::Conflict("This person is already a member of this business.".into())
        }
        StoreError::Conflict(_) => {
            AppError::Conflict("Someone else added this email at the same moment.".into())
        }
        other => other.into(),
    }
}

/// The members of the location.
pub async fn members(store: &dyn Store, location: &LocationId) -> AppResult<Vec<Member>> {
    Ok(store.team_members(location).await?)
}

/// One member of the location; `NotFound` for anyone else (including another location's).
pub async fn member(store: &dyn Store, location: &LocationId, user: &str) -> AppResult<Member> {
    let user = member_id(user)?;
    store
        .team_member(location, &user)
        .await?
        .ok_or(AppError::NotFound("Member not found"))
}

/// Adds a member. `base_url` is where users reach this server (`https://crm.example.com`);
/// the link is `base_url` + `/invite/` + a random token of which only the hash is stored.
pub async fn add_member(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: &NewMember,
    base_url: &str,
    invite: Invite,
    actor: &Actor,
) -> AppResult<Added> {
    let mut errors = ValidationErrors::new();
    let name = bounded_text(&mut errors, "name", &input.name, 100, true);
    let email = normalize_email(&input.email);
    if email.is_none() {
        errors.add("email", "must be an email address");
    }
    let role = parse_role(&input.role, &mut errors);
    let (name, email, role) = match errors.finish((name, email, role))? {
        (Some(name), Some(email), Some(role)) => (name, email, role),
        _ => {
            return Err(AppError::Internal(
                "validation passed without values".into(),
            ));
        }
    };
    let token = random::base62(TOKEN_CHARS);
    let expires_at = now.plus(LINK_TTL);
    let link = NewSignInLink {
        token_hash: token_hash(&token),
        created_at: now,
        expires_at,
    };
    // Nobody knows this password: the account is unusable until its link sets one, and a
    // sign-in attempt costs the same argon2 work as for any account.
    let new = NewUser {
        id: UserId::generate(),
        email: email.clone(),
        name,
        password_hash: hash_off_thread(random::base62(32)).await?,
        created_at: now,
    };
    let detail = format!("{email} added as {}", role.as_str());
    let audit = entry(location, actor, AuditAction::MemberAdded, detail, now);
    let added = store
        .add_member(location, &new, role, &link, &audit)
        .await
        .map_err(team_error)?;
    let mut done = Added {
        member: added.member,
        created: added.created,
        sign_in_url: None,
        expires_at: None,
        emailed: false,
        email_failed: None,
    };
    if !added.link_stored {
        return Ok(done);
    }
    let url = format!("{}{LINK_PATH}{token}", base_url.trim_end_matches('/'));
    if invite == Invite::EmailIfConfigured {
        let sent = invitation::send(store, location, &done.member, &url, expires_at, actor).await;
        match sent {
            Ok(true) => {
                done.emailed = true;
                return Ok(done);
            }
            Ok(false) => {}
            Err(why) => done.email_failed = Some(why),
        }
    }
    done.sign_in_url = Some(url);
    done.expires_at = Some(expires_at);
    Ok(done)
}

/// Changes a member's role; the last admin cannot be demoted (409).
pub async fn change_role(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    user: &str,
    role: &str,
    actor: &Actor,
) -> AppResult<Member> {
    let mut errors = ValidationErrors::new();
    let role = parse_role(role, &mut errors);
    let current = member(store, location, user).await?;
    let Some(role) = errors.finish(role)? else {
        return Err(AppError::Internal(
            "validation passed without a role".into(),
        ));
    };
    if current.role == role {
        return Ok(current);
    }
    let detail = format!(
        "{}: {} to {}",
        current.user.email,
        current.role.as_str(),
        role.as_str()
    );
    let audit = entry(location, actor, AuditAction::MemberRoleChanged, detail, now);
    store
        .change_member_role(location, &current.user.id, role, &audit)
        .await
        .map_err(team_error)
}

/// Removes a member from the location and ends all their sessions at once; the last admin
/// cannot be removed (409).
pub async fn remove_member(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    user: &str,
    actor: &Actor,
) -> AppResult<Removed> {
    let current = member(store, location, user).await?;
    let detail = format!("{} removed", current.user.email);
    let audit = entry(location, actor, AuditAction::MemberRemoved, detail, now);
    let sessions_ended = store
        .remove_member(location, &current.user.id, &audit)
        .await
        .map_err(team_error)?;
    Ok(Removed {
        member: current,
        sessions_ended,
    })
}

/// The live link with this token: unused, unexpired, its user still a member.
pub async fn find_link(
    store: &dyn Store,
    now: Timestamp,
    token: &str,
) -> AppResult<SignInLinkGrant> {
    if !well_formed(token) {
        return Err(AppError::NotFound(LINK_GONE));
    }
    store
        .find_sign_in_link(&token_hash(token), now)
        .await?
        .ok_or(AppError::NotFound(LINK_GONE))
}

/// Uses the link once: sets the user's password (the same rules as setup) and returns the
/// user, for the caller to sign in. A used, expired or withdrawn link is `NotFound`.
pub async fn set_password(
    store: &dyn Store,
    now: Timestamp,
    token: &str,
    password: &str,
    ip: Option<String>,
) -> AppResult<User> {
    let grant = find_link(store, now, token).await?;
    check_new_password(password)?;
    let hash = hash_off_thread(password.to_owned()).await?;
    let actor = Actor {
        user_id: Some(grant.user.id.clone()),
        label: grant.user.email.clone(),
        ip,
    };
    let detail = format!(
        "{} set a password with their sign-in link",
        grant.user.email
    );
    let audit = entry(
        &grant.location_id,
        &actor,
        AuditAction::SignInLinkUsed,
        detail,
        now,
    );
    store
        .redeem_sign_in_link(&token_hash(token), now, &hash, &audit)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound(LINK_GONE),
            other => other.into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_our_shape_are_looked_up() {
        assert!(well_formed(&random::base62(TOKEN_CHARS)));
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}!", "a".repeat(42)),
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
