//! Sign-in throttling against password guessing, shared by the web sign-in page and the JSON
//! `POST /manage/login`.
//!
//! Failures are counted in memory per email address and per client address over a sliding
//! 15-minute window. Once an email has 5 failures, or an address 20 (an office behind one NAT
//! shares an address; a spray across many emails from one machine still stops quickly), further
//! attempts for it answer 429 with `Retry-After` until the oldest failure leaves the window,
//! without checking the password, so even the right password is refused while it lasts.
//!
//! Each attempt is counted *before* the password check and taken back if it succeeds, so a
//! burst of parallel guesses cannot slip past the limit. A success clears its email's failures
//! (not its address's: signing in to one's own account must not reset a spray). The state is
//! per server process; several processes behind a load balancer each keep their own count.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ivorey_core::user::User;

use crate::error::{ApiError, ApiResult};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::accounts;

/// The window failures are counted over.
pub(crate) const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures for one email within the window before sign-in is refused for it.
pub(crate) const EMAIL_LIMIT: usize = 5;
/// Failures from one client address within the window before sign-in is refused from it.
pub(crate) const IP_LIMIT: usize = 20;
/// Past this many tracked keys, stale ones are swept on the next attempt.
const SWEEP_AT: usize = 10_000;

/// Recent failed sign-ins, by `email:<address>` and `ip:<address>`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoginThrottle {
    failures: Arc<Mutex<HashMap<String, VecDeque<i64>>>>,
}

/// The client's address (the TCP peer), if known; never rejects.
#[derive(Debug)]
pub(crate) struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(ClientIp(SessionUser::client_ip(parts)))
    }
}

impl LoginThrottle {
    /// The user with this email and password, `None` for wrong credentials, or
    /// `TooManyRequests` while the email or the address is throttled.
    pub(crate) async fn check_password(
        &self,
        state: &AppState,
        ip: Option<&str>,
        email: &str,
        password: &str,
    ) -> ApiResult<Option<User>> {
        let now = state.clock.now().millis();
        let email_key = format!("email:{}", email.trim().to_lowercase());
        let ip_key = ip.map(|ip| format!("ip:{ip}"));
        self.reserve(now, &email_key, ip_key.as_deref())?;
        let checked = accounts::check_password(state.store.as_ref(), email, password)
            .await
            .map_err(ApiError::from);
        match &checked {
            Ok(None) => {}
            Ok(Some(_)) => self.release(now, &email_key, ip_key.as_deref(), true),
            Err(_) => self.release(now, &email_key, ip_key.as_deref(), false),
        }
        checked
    }

    /// Refuses if a key is at its limit; otherwise counts this attempt as a failure for now.
    fn reserve(&self, now: i64, email_key: &str, ip_key: Option<&str>) -> ApiResult<()> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > SWEEP_AT {
            failures.retain(|_, times| times.back().is_some_and(|t| now - t < WINDOW_MS));
        }
        let keys = [(Some(email_key), EMAIL_LIMIT), (ip_key, IP_LIMIT)];
        let mut wait_ms = 0;
        for (key, limit) in keys {
            let Some(times) = key.and_then(|k| failures.get_mut(k)) else {
                continue;
            };
            while times.front().is_some_and(|t| now - t >= WINDOW_MS) {
                times.pop_front();
            }
            if times.len() >= limit {
                // The attempt becomes possible when enough old failures leave the window.
                let freed_at = times[times.len() - limit] + WINDOW_MS;
                wait_ms = wait_ms.max(freed_at - now);
            }
        }
        if wait_ms > 0 {
            let retry_after_secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1);
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
        for key in [Some(email_key), ip_key].into_iter().flatten() {
            failures.entry(key.to_owned()).or_default().push_back(now);
        }
        Ok(())
    }

    /// Takes back the attempt counted by `reserve`; a success also clears the email's failures.
    fn release(&self, now: i64, email_key: &str, ip_key: Option<&str>, succeeded: bool) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if succeeded {
            failures.remove(email_key);
        } else {
            remove_one(&mut failures, email_key, now);
        }
        if let Some(ip_key) = ip_key {
            remove_one(&mut failures, ip_key, now);
        }
    }
}

fn remove_one(failures: &mut HashMap<String, VecDeque<i64>>, key: &str, at: i64) {
    if let Some(times) = failures.get_mut(key) {
        if let Some(i) = times.iter().rposition(|&t| t == at) {
            times.remove(i);
        }
        if times.is_empty() {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: ApiResult<()>) -> Option<u64> {
        match result {
            Err(ApiError::TooManyRequests { retry_after_secs }) => Some(retry_after_secs),
            _ => None,
        }
    }

    #[test]
    fn the_sixth_failure_for_an_email_is_refused_until_the_window_moves_on() {
        let throttle = LoginThrottle::default();
        for i in 0..EMAIL_LIMIT as i64 {
            assert!(throttle.reserve(i * 1000, "email:a", None).is_ok());
        }
        let wait = refused(throttle.reserve(10_000, "email:a", None));
        assert_eq!(wait, Some(((WINDOW_MS - 10_000) / 1000) as u64));
        assert!(throttle.reserve(10_000, "email:b", None).is_ok());
        assert!(throttle.reserve(WINDOW_MS, "email:a", None).is_ok());
    }

    #[test]
    fn an_address_is_refused_after_failures_across_many_emails() {
        let throttle = LoginThrottle::default();
        for i in 0..IP_LIMIT {
            let email = format!("email:{i}");
            assert!(throttle.reserve(0, &email, Some("ip:1")).is_ok());
        }
        assert!(refused(throttle.reserve(0, "email:new", Some("ip:1"))).is_some());
        assert!(throttle.reserve(0, "email:new", Some("ip:2")).is_ok());
    }

    #[test]
    fn a_success_clears_the_email_but_not_the_address() {
        let throttle = LoginThrottle::default();
        for _ in 0..EMAIL_LIMIT - 1 {
            throttle.reserve(0, "email:a", Some("ip:1")).unwrap();
        }
        throttle.reserve(0, "email:a", Some("ip:1")).unwrap();
        throttle.release(0, "email:a", Some("ip:1"), true);
        let failures = throttle.failures.lock().unwrap();
        assert!(!failures.contains_key("email:a"));
        assert_eq!(failures["ip:1"].len(), EMAIL_LIMIT - 1);
    }
}
