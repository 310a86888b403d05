//! The audit log: who did what to which integration or member, when and from where. Never a
//! token.

use serde::Serialize;

use crate::{IntegrationId, LocationId, Timestamp, UserId};

/// Who made a change: a signed-in user, or an operator at the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// Shown in lists: the user's email, or `cli (<os user>)`.
    pub label: String,
    /// The client address for web and API changes; `None` from the CLI.
    pub ip: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        let os_user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
        Actor {
            user_id: None,
            label: format!("cli ({os_user})"),
            ip: None,
        }
    }
}

/// The kinds of change the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    IntegrationCreated,
    IntegrationUpdated,
    TokenRotatedExpireLater,
    TokenRotatedExpireNow,
    OldTokenExpired,
    IntegrationDeleted,
    BusinessProfileUpdated,
    RateLimitsUpdated,
    MemberAdded,
    MemberRoleChanged,
    MemberRemoved,
    SignInLinkUsed,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::IntegrationCreated => "integration_created",
            AuditAction::IntegrationUpdated => "integration_updated",
            AuditAction::TokenRotatedExpireLater => "token_rotated_expire_later",
            AuditAction::TokenRotatedExpireNow => "token_rotated_expire_now",
            AuditAction::OldTokenExpired => "old_token_expired",
            AuditAction::IntegrationDeleted => "integration_deleted",
            AuditAction::BusinessProfileUpdated => "business_profile_updated",
            AuditAction::RateLimitsUpdated => "rate_limits_updated",
            AuditAction::MemberAdded => "member_added",
            AuditAction::MemberRoleChanged => "member_role_changed",
            AuditAction::MemberRemoved => "member_removed",
            AuditAction::SignInLinkUsed => "sign_in_link_used",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use AuditAction::*;
        [
            IntegrationCreated,
            IntegrationUpdated,
            TokenRotatedExpireLater,
            TokenRotatedExpireNow,
            OldTokenExpired,
            IntegrationDeleted,
            BusinessProfileUpdated,
            RateLimitsUpdated,
            MemberAdded,
            MemberRoleChanged,
            MemberRemoved,
            SignInLinkUsed,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub location_id: LocationId,
    pub integration_id: Option<IntegrationId>,
    /// The integration's name at the time, so entries stay readable after a delete.
    pub integration_name: Option<String>,
    pub actor: String,
    pub actor_user_id: Option<UserId>,
    pub action: AuditAction,
    /// A short human-readable summary, e.g. the changed fields.
    pub detail: String,
    pub ip: Option<String>,
    pub at: Timestamp,
}
