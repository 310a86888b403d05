//! How one delivery attempt failed, and whether it is worth retrying.

/// Why one attempt failed. `retry` is false for answers that another attempt cannot change
/// (a 4xx from the webhook, a permanent SMTP error, no provider configured).
#[derive(Debug)]
pub(crate) struct AttemptError {
    pub retry: bool,
    /// A short reason for the message's `error`; never a secret.
    pub summary: String,
}

impl AttemptError {
    pub(crate) fn permanent(summary: impl Into<String>) -> Self {
        AttemptError {
            retry: false,
            summary: summary.into(),
        }
    }
}
