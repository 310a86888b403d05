//! A test message from Settings > Messaging: sent at once through one provider, with one
//! attempt and nothing stored, so the admin sees the provider's answer on the page. The
//! webhook receives it as `event: "message.test"`.

use std::time::Duration;

use ivorey_core::conversation::{Channel, Message, MessageContent, MessageStatus};
use ivorey_core::ids::{ConversationId, MessageId};
use ivorey_core::messaging::MessagingSettings;
use ivorey_core::{ContactId, Timestamp};

use super::{smtp, webhook};

/// Where the test goes: an email address through SMTP, or a number through the webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestRecipient {
    Email(String),
    Phone(String),
}

/// Sends one test message now. `Ok` is the status the provider gave (sent or delivered);
/// `Err` says why it failed, in the words a message's delivery error would use.
pub async fn test_send(
    settings: &MessagingSettings,
    to: TestRecipient,
    business: &str,
    now: Timestamp,
    timeout: Duration,
) -> Result<MessageStatus, String> {
    let body = format!(
        "This is a test message from Ivorey for {business}. If it reached you, the provider works."
    );
    let (channel, content) = match &to {
        TestRecipient::Email(address) => (
            Channel::Email,
            MessageContent {
                subject: Some("Ivorey test message".into()),
                email_to: Some(address.clone()),
                ..MessageContent::default()
            },
        ),
        TestRecipient::Phone(number) => (
            Channel::Sms,
            MessageContent {
                to_number: Some(number.clone()),
                ..MessageContent::default()
            },
        ),
    };
    let message = Message {
        id: MessageId::generate(),
        location_id: settings.location_id.clone(),
        conversation_id: ConversationId::generate(),
        contact_id: ContactId::generate(),
        channel,
        direction: ivorey_core::conversation::Direction::Outbound,
        status: MessageStatus::Pending,
        body,
        content,
        source: webhook::TEST_SOURCE.into(),
        error: None,
        attempts: 0,
        date_added: now,
        date_updated: now,
        sent_by: None,
    };
    let outcome = match to {
        TestRecipient::Email(_) => {
            let smtp = settings
                .smtp
                .as_ref()
                .ok_or("no SMTP server is configured for this location")?;
            smtp::send(smtp, &message, timeout).await
        }
        TestRecipient::Phone(_) => {
            let hook = settings
                .webhook
                .as_ref()
                .ok_or("no webhook provider is configured for this location")?;
            webhook::post(&webhook::client(), hook, &message, 1, timeout).await
        }
    };
    outcome.map_err(|e| e.summary)
}
