//! The delivery worker: drains the outbox of outbound messages. A send stores the message as
//! `pending` in the request's transaction and wakes the worker (`Outbox::wake`); the worker
//! claims pending messages with a lease (so a restarted or second node picks up what was left,
//! and two nodes never deliver one message), hands each to the location's provider (SMTP for
//! Email, the signed webhook for SMS and Custom), retries network errors and 5xx answers with
//! exponential backoff, and records `sent`, `delivered` or `failed` with an error summary.

mod attempt;
pub(crate) mod smtp;
mod test_send;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use ivorey_core::Clock;
use ivorey_core::conversation::{Channel, Message, MessageStatus};
use ivorey_store::Store;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use attempt::AttemptError;

pub use test_send::{TestRecipient, test_send};
pub use webhook::{SIGNATURE_HEADER, sign};

/// Timing of deliveries; tests shorten it.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Attempts per message, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Limit for one SMTP session or webhook request.
    pub attempt_timeout: Duration,
    /// How long a claimed message belongs to one worker; must exceed all its attempts.
    pub lease: Duration,
    /// How often the worker looks for pending messages when nothing wakes it.
    pub poll_interval: Duration,
    /// Messages delivered at once by one worker.
    pub concurrency: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            attempt_timeout: Duration::from_secs(30),
            lease: Duration::from_secs(15 * 60),
            poll_interval: Duration::from_secs(30),
            concurrency: 16,
        }
    }
}

impl DeliveryConfig {
    fn backoff(&self, failed_attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(failed_attempts.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Wakes the delivery worker when a message is queued.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    queued: Arc<Notify>,
}

impl Outbox {
    /// Called after the transaction that queued a message commits. A wake while the worker is
    /// busy is remembered, so the message is claimed on its next pass.
    pub fn wake(&self) {
        self.queued.notify_one();
    }
}

/// Runs until aborted.
pub async fn run_worker(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: DeliveryConfig,
    outbox: Outbox,
) {
    let http = webhook::client();
    let mut running = JoinSet::new();
    loop {
        while running.try_join_next().is_some() {}
        let room = config.concurrency.saturating_sub(running.len());
        let mut full_batch = false;
        if room > 0 {
            let now = clock.now();
            let limit = u32::try_from(room).unwrap_or(u32::MAX);
            match store
                .claim_pending_messages(now, now.plus(config.lease), limit)
                .await
            {
                Ok(batch) => {
                    full_batch = batch.len() == room;
                    for message in batch {
                        running.spawn(deliver(
                            store.clone(),
                            clock.clone(),
                            config.clone(),
                            http.clone(),
                            message,
                        ));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming pending messages failed"),
            }
        }
        if full_batch {
            continue;
        }
        tokio::select! {
            () = outbox.queued.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
}

/// Delivers one claimed message, with retries, and records the outcome.
async fn deliver(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: DeliveryConfig,
    http: webhook::HttpClient,
    message: Message,
) {
    let mut attempts = message.attempts;
    let outcome = loop {
        attempts += 1;
        let result = attempt(store.as_ref(), &config, &http, &message, attempts).await;
        match result {
            Ok(status) => break Ok(status),
            Err(e) if e.retry && attempts < config.max_attempts => {
                tracing::info!(message = %message.id, attempts, reason = %e.summary,
                    "delivery attempt failed; retrying");
                tokio::time::sleep(config.backoff(attempts)).await;
            }
            Err(e) => break Err(e.summary),
        }
    };
    let (status, error) = match outcome {
        Ok(status) => (status, None),
        Err(summary) => {
            tracing::warn!(message = %message.id, attempts, reason = %summary, "delivery failed");
            (MessageStatus::Failed, Some(summary))
        }
    };
    if let Err(e) = store
        .finish_delivery(
            &message.location_id,
            &message.id,
            status,
            error.as_deref(),
            attempts,
            clock.now(),
        )
        .await
    {
        // The lease runs out and another pass delivers again: at least once, never lost.
        tracing::error!(message = %message.id, error = %e, "recording a delivery failed");
    }
}

async fn attempt(
    store: &dyn Store,
    config: &DeliveryConfig,
    http: &webhook::HttpClient,
    message: &Message,
    attempt: u32,
) -> Result<MessageStatus, AttemptError> {
    // Read at each attempt, so a provider fixed meanwhile is used by the next retry.
    let settings = store
        .messaging_settings(&message.location_id)
        .await
        .map_err(|_| AttemptError {
            retry: true,
            summary: "the delivery settings could not be read".into(),
        })?;
    let settings = settings.as_ref();
    match message.channel {
        Channel::Email => {
            let smtp = settings.and_then(|s| s.smtp.as_ref()).ok_or_else(|| {
                AttemptError::permanent("no SMTP server is configured for this location")
            })?;
            smtp::send(smtp, message, config.attempt_timeout).await
        }
        Channel::Sms | Channel::Custom => {
            let hook = settings.and_then(|s| s.webhook.as_ref()).ok_or_else(|| {
                AttemptError::permanent("no webhook provider is configured for this location")
            })?;
            webhook::post(http, hook, message, attempt, config.attempt_timeout).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = DeliveryConfig {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..DeliveryConfig::default()
        };
        let waits: Vec<_> = (1..=4).map(|n| config.backoff(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
