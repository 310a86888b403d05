//! The invitation email: sent at once through the location's own SMTP server (the one its
//! Email messages use), not queued in the outbox, so the admin learns right away whether it
//! went out and gets the link to hand over when it did not.

use std::time::Duration;

use ivorey_core::audit::Actor;
use ivorey_core::user::Role;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::Store;
use ivorey_store::team::Member;

use crate::delivery::smtp::send_plain;

/// Longest wait for the SMTP server while the admin's page loads.
pub const INVITATION_TIMEOUT: Duration = Duration::from_secs(10);

/// Emails the link to the new member. `Ok(false)`: the location has no SMTP server; `Err`: it
/// has one and sending failed, for this reason.
pub(super) async fn send(
    store: &dyn Store,
    location: &LocationId,
    member: &Member,
    url: &str,
    expires_at: Timestamp,
    actor: &Actor,
) -> Result<bool, String> {
    let unavailable = |_| "the messaging settings could not be read".to_owned();
    let settings = store
        .messaging_settings(location)
        .await
        .map_err(unavailable)?;
    let Some(smtp) = settings.and_then(|s| s.smtp) else {
        return Ok(false);
    };
    let business = match store.get_location(location).await {
        Ok(Some(found)) => found.profile.name,
        _ => "your business".to_owned(),
    };
    let subject = format!("You have been added to {business} on Ivorey");
    let body = format!(
        "Hello {name},\n\n\
         {who} added you to {business} on Ivorey as {role}.\n\n\
         Choose your password here to sign in:\n{url}\n\n\
         The link works once and until {until} (UTC). If you did not expect this email, you can \
         ignore it.\n",
        name = member.user.name,
        who = actor.label,
        role = match member.role {
            Role::Admin => "an admin",
            Role::User => "a user",
        },
        until = expires_at.to_rfc3339(),
    );
    send_plain(
        &smtp,
        &member.user.email,
        &subject,
        body,
        INVITATION_TIMEOUT,
    )
    .await
    .map(|()| true)
}
