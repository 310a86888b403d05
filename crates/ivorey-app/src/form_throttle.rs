//! Spam control for public form submissions: per client address and form, at most
//! `SUBMIT_LIMIT` submissions in a sliding `WINDOW_MS`; past that 429 with `Retry-After`.
//! Counted in memory per server process (like sign-in throttling), before the body is checked,
//! so invalid and honeypot posts count too.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use ivorey_core::Timestamp;
use ivorey_core::ids::FormId;

use crate::error::{AppError, AppResult};

/// Submissions one client address may make to one form within the window.
pub const SUBMIT_LIMIT: usize = 10;
/// The window submissions are counted over.
pub const WINDOW_MS: i64 = 10 * 60 * 1000;
/// Past this many tracked keys, stale ones are swept on the next submission.
const SWEEP_AT: usize = 10_000;

/// Recent submission times (Unix ms, oldest first) by (client address, form).
type Recent = HashMap<(String, FormId), VecDeque<i64>>;

/// Spam control state, shared by clones.
#[derive(Debug, Clone, Default)]
pub struct SubmitThrottle {
    recent: Arc<Mutex<Recent>>,
}

impl SubmitThrottle {
    /// Counts a submission from `client` to `form` at `now`, or refuses it.
    pub fn admit(&self, client: &str, form: &FormId, now: Timestamp) -> AppResult<()> {
        let now = now.millis();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() > SWEEP_AT {
            recent.retain(|_, times| times.back().is_some_and(|t| now - t < WINDOW_MS));
        }
        let times = recent.entry((client.to_owned(), form.clone())).or_default();
        while times.front().is_some_and(|t| now - t >= WINDOW_MS) {
            times.pop_front();
        }
        if times.len() >= SUBMIT_LIMIT {
            let freed_at = times[times.len() - SUBMIT_LIMIT] + WINDOW_MS;
            let retry_after_secs = u64::try_from((freed_at - now + 999) / 1000).unwrap_or(1);
            return Err(AppError::TooManyRequests {
                retry_after_secs: retry_after_secs.max(1),
            });
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_address_and_form_and_frees_up_with_time() {
        let throttle = SubmitThrottle::default();
        let (form, other) = (FormId::generate(), FormId::generate());
        for _ in 0..SUBMIT_LIMIT {
            throttle.admit("10.0.0.1", &form, Timestamp(0)).unwrap();
        }
        let refused = throttle.admit("10.0.0.1", &form, Timestamp(1000));
        assert!(matches!(
            refused,
            Err(AppError::TooManyRequests {
                retry_after_secs: 599
            })
        ));
        throttle.admit("10.0.0.2", &form, Timestamp(1000)).unwrap();
        throttle.admit("10.0.0.1", &other, Timestamp(1000)).unwrap();
        throttle
            .admit("10.0.0.1", &form, Timestamp(WINDOW_MS))
            .unwrap();
    }
}
