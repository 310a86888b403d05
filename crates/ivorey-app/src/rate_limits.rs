//! A location's own rate limits, set from the management API (by the location's admins) and
//! the CLI (by the operator). Admins may only tighten the server's limits: the defaults protect
//! the whole server, so raising them is the operator's call. The next request uses the change.

use ivorey_core::audit::{Actor, AuditAction, AuditEvent};
use ivorey_core::{LocationId, Timestamp, ValidationErrors};
use ivorey_store::{LocationRateLimits, Store, StoreError};

use crate::error::{AppError, AppResult};
use crate::ratelimit::RateLimits;

/// Largest limit accepted (a stored limit is a signed 64-bit integer).
pub const MAX_LIMIT: u64 = i64::MAX as u64;

/// Replaces the location's overrides (`None` = the server default) with an audit entry.
/// With `ceiling`, each limit must be at most the server's (the management API).
pub async fn set_rate_limits(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    limits: LocationRateLimits,
    ceiling: Option<RateLimits>,
    actor: &Actor,
) -> AppResult<LocationRateLimits> {
    let mut problems = ValidationErrors::new();
    let fields = [
        ("burstMax", limits.burst_max, ceiling.map(|c| c.burst_max)),
        ("dailyMax", limits.daily_max, ceiling.map(|c| c.daily_max)),
    ];
    for (field, value, max) in fields {
        match (value, max) {
            (Some(n), _) if n == 0 || n > MAX_LIMIT => {
                problems.add(field, "must be a whole number of at least 1");
            }
            (Some(n), Some(max)) if n > max => problems.add(
                field,
                format!(
                    "may not exceed the server's limit of {max}; the operator can raise it \
                     with `ivorey admin set-rate-limits`"
                ),
            ),
            _ => {}
        }
    }
    problems.finish(())?;
    let entry = AuditEvent {
        location_id: location.clone(),
        integration_id: None,
        integration_name: None,
        actor: actor.label.clone(),
        actor_user_id: actor.user_id.clone(),
        action: AuditAction::RateLimitsUpdated,
        detail: describe(&limits),
        ip: actor.ip.clone(),
        at: now,
    };
    store
        .set_location_rate_limits(location, &limits, &entry)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("Location not found"),
            other => other.into(),
        })?;
    Ok(limits)
}

/// `burst 10, daily default`: the audit entry's summary.
pub fn describe(limits: &LocationRateLimits) -> String {
    let show = |n: Option<u64>| n.map_or_else(|| "default".to_owned(), |n| n.to_string());
    format!(
        "rate limits: burst {}, daily {}",
        show(limits.burst_max),
        show(limits.daily_max)
    )
}
