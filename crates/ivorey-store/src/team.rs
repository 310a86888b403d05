//! A location's team: its members and roles, the one-time sign-in links an admin hands to the
//! users they add (only the SHA-256 of a link's token is stored), and the guard that keeps at
//! least one admin in every location.

use async_trait::async_trait;
use ivorey_core::audit::AuditEvent;
use ivorey_core::user::{Role, User};
use ivorey_core::{LocationId, Timestamp, UserId};

use crate::{NewUser, StoreResult};

/// The `Conflict` of a change that would leave the location without an admin.
pub const LAST_ADMIN: &str = "last admin";
/// The `Conflict` of adding someone who is already a member.
pub const ALREADY_MEMBER: &str = "already a member";

/// A member of a location, as the Team page lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user: User,
    pub role: Role,
    /// When they joined the location (their account's creation for older memberships).
    pub added_at: Timestamp,
    /// They were added by an admin and have not chosen a password yet.
    pub invited: bool,
}

/// A one-time sign-in link to store: the hash of its token and until when it works (whose it
/// is follows from the add that stores it).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignInLink {
    pub token_hash: [u8; 32],
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What adding a member did.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedMember {
    pub member: Member,
    /// A new account was created for them.
    pub created: bool,
    /// The link was stored: the user has no password yet and no other location.
    pub link_stored: bool,
}

/// A live sign-in link: the user it signs in and the location that issued it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInLinkGrant {
    pub user: User,
    pub location_id: LocationId,
}

/// Members, roles and sign-in links. Every change writes its audit entry in its transaction.
#[async_trait]
pub trait TeamStore {
    /// The location's members, ordered by name then id.
    async fn team_members(&self, location: &LocationId) -> StoreResult<Vec<Member>>;
    async fn team_member(
        &self,
        location: &LocationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>>;
    /// Adds a member: the account `new` is created unless a user with its email exists, who
    /// then just joins (keeping their name and password). `link` is stored for the user only
    /// while they have no password and belong to no other location (so an admin can never
    /// obtain a way into someone else's account); any older link of theirs is dropped.
    /// `ALREADY_MEMBER` if they already belong to the location.
    async fn add_member(
        &self,
        location: &LocationId,
        new: &NewUser,
        role: Role,
        link: &NewSignInLink,
        audit: &AuditEvent,
    ) -> StoreResult<AddedMember>;
    /// Changes a member's role; `NotFound` if they are not a member, `LAST_ADMIN` if they are
    /// the location's only admin and `role` is not admin.
    async fn change_member_role(
        &self,
        location: &LocationId,
        user: &UserId,
        role: Role,
        audit: &AuditEvent,
    ) -> StoreResult<Member>;
    /// Removes a member, their links of this location and every session of theirs (sessions
    /// are not tied to one location, so the user signs in again to reach any other); returns
    /// how many sessions ended. `NotFound` or `LAST_ADMIN` as for a role change.
    async fn remove_member(
        &self,
        location: &LocationId,
        user: &UserId,
        audit: &AuditEvent,
    ) -> StoreResult<u64>;
    /// The link with this token hash if it is unused, unexpired at `now` and its user still a
    /// member of the issuing location.
    async fn find_sign_in_link(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<SignInLinkGrant>>;
    /// Uses the link once: sets the user's password and drops all their unused links, in one
    /// transaction with `audit`. `NotFound` if the link is not live at `now` (used, expired,
    /// or its user has left the location), including when a concurrent use won.
    async fn redeem_sign_in_link(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
        password_hash: &str,
        audit: &AuditEvent,
    ) -> StoreResult<User>;
}
