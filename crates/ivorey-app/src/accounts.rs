//! Locations, admins and sign-in: the first-run setup, the operator's `create-location`, and the
//! password check behind a session.

use ivorey_core::audit::{Actor, AuditAction, AuditEvent};
use ivorey_core::error::bounded_text;
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::password::{check_new_password, dummy_hash, hash_password, verify_password};
use ivorey_core::user::{User, normalize_email};
use ivorey_core::{LocationId, Timestamp, UserId, ValidationErrors};
use ivorey_store::{AdminAccount, NewUser, Store, StoreError};

use crate::error::{AppError, AppResult};

/// A new location, and whether its admin account was created with it.
#[derive(Debug)]
pub struct CreatedLocation {
    pub location: Location,
    pub admin: UserId,
    pub admin_created: bool,
}

/// Creates a location whose admin is `admin_email`. A new user needs `password`; an existing
/// user becomes admin of the new location and keeps their password (which must then be absent
/// or correct, so nobody can attach a location to someone else's account by guessing emails).
pub async fn create_location(
    store: &dyn Store,
    now: Timestamp,
    profile: BusinessProfile,
    admin_email: &str,
    admin_name: Option<&str>,
    password: Option<&str>,
) -> AppResult<CreatedLocation> {
    let profile = profile.validate()?;
    let email = normalize_email(admin_email)
        .ok_or_else(|| ValidationErrors::single("adminEmail", "must be an email address"))?;
    let location = Location {
        id: LocationId::generate(),
        profile,
        created_at: now,
    };
    let (admin, admin_created) = match store.find_user_by_email(&email).await? {
        Some((user, hash)) => {
            if password.is_some_and(|p| !verify_password(p, &hash)) {
                return Err(AppError::Conflict(
                    "A user with this email exists and the password does not match.".into(),
                ));
            }
            (AdminAccount::Existing(user.id), false)
        }
        None => {
            let password = password.ok_or_else(|| {
                ValidationErrors::single("password", "is required for a new user")
            })?;
            check_new_password(password)?;
            let mut errors = ValidationErrors::new();
            let name = admin_name.and_then(|n| bounded_text(&mut errors, "name", n, 100, false));
            let name = errors.finish(name)?.unwrap_or_else(|| email.clone());
            let user = NewUser {
                id: UserId::generate(),
                email: email.clone(),
                name,
                password_hash: hash_password(password),
                created_at: now,
            };
            (AdminAccount::New(user), true)
        }
    };
    let admin_id = match &admin {
        AdminAccount::New(user) => user.id.clone(),
        AdminAccount::Existing(id) => id.clone(),
    };
    store
        .create_location(&location, &admin)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict("A user with this email already exists.".into())
            }
            other => other.into(),
        })?;
    // The starter pipeline, so a tool's first `createOpportunity` has somewhere to land. A
    // failure here leaves a working location without one, which Settings > Pipelines offers to
    // create, so it is logged rather than undoing the location.
    if let Err(e) = crate::pipelines::create_starter(store, now, &location.id).await {
        tracing::warn!(location = %location.id, error = %e, "starter pipeline not created");
    }
    Ok(CreatedLocation {
        location,
        admin: admin_id,
        admin_created,
    })
}

/// The user whose email and password these are. Unknown emails cost the same argon2 work as
/// wrong passwords, so response time does not reveal which emails have accounts.
pub async fn check_password(
    store: &dyn Store,
    email: &str,
    password: &str,
) -> AppResult<Option<User>> {
    let Some(email) = normalize_email(email) else {
        verify_password(password, dummy_hash());
        return Ok(None);
    };
    let found = store.find_user_by_email(&email).await?;
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let verified = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => verify_password(&password, &hash).then_some(user),
        None => {
            verify_password(&password, dummy_hash());
            None
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check task failed: {e}")))?;
    Ok(verified)
}

/// Replaces the business profile, with an audit entry.
pub async fn update_profile(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    profile: BusinessProfile,
    actor: &Actor,
) -> AppResult<Location> {
    let profile = profile.validate()?;
    let entry = AuditEvent {
        location_id: location.clone(),
        integration_id: None,
        integration_name: None,
        actor: actor.label.clone(),
        actor_user_id: actor.user_id.clone(),
        action: AuditAction::BusinessProfileUpdated,
        detail: "business profile updated".into(),
        ip: actor.ip.clone(),
        at: now,
    };
    store
        .update_business_profile(location, &profile, &entry)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("Location not found"),
            other => other.into(),
        })
}

/// First-run setup: creates the first location and its admin, refused once any location
/// exists. Returns the new admin, not yet signed in (the management API and the web app's setup
/// page each open the session their way).
pub async fn first_run_setup(
    store: &dyn Store,
    now: Timestamp,
    business_name: String,
    email: &str,
    password: &str,
    name: Option<&str>,
) -> AppResult<User> {
    if store.count_locations().await? > 0 {
        return Err(AppError::Conflict(
            "Setup is already done. Sign in instead.".into(),
        ));
    }
    let profile = BusinessProfile {
        name: business_name,
        ..Default::default()
    };
    let created = create_location(store, now, profile, email, name, Some(password)).await?;
    store
        .find_user_by_email(&normalize_email(email).unwrap_or_default())
        .await?
        .map(|(user, _)| user)
        .ok_or_else(|| AppError::Internal(format!("admin {} vanished after setup", created.admin)))
}
