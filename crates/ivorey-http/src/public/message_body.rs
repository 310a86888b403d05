//! The bodies of `POST /conversations/messages` and `/messages/inbound` as the wire has them,
//! handed to `ivorey_app::messages` (which the web app's reply form uses too) to validate.

use ivorey_app::messages::{InboundInput, SendInput};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    contact_id: Option<String>,
    message: Option<String>,
    html: Option<String>,
    subject: Option<String>,
    email_to: Option<String>,
    email_from: Option<String>,
    #[serde(default)]
    email_cc: Vec<String>,
    #[serde(default)]
    email_bcc: Vec<String>,
    to_number: Option<String>,
    from_number: Option<String>,
    #[serde(default)]
    attachments: Vec<String>,
    /// Required by upstream's schema; the outbox decides the status, so these are ignored.
    #[expect(dead_code, reason = "accepted and ignored, as documented")]
    status: Option<Value>,
    #[expect(dead_code, reason = "accepted and ignored, as documented")]
    sub_type: Option<Value>,
    #[expect(dead_code, reason = "accepted and ignored: one provider per channel")]
    conversation_provider_id: Option<String>,
}

impl From<SendBody> for SendInput {
    fn from(b: SendBody) -> SendInput {
        SendInput {
            kind: b.kind,
            contact_id: b.contact_id,
            message: b.message,
            html: b.html,
            subject: b.subject,
            email_to: b.email_to,
            email_from: b.email_from,
            email_cc: b.email_cc,
            email_bcc: b.email_bcc,
            to_number: b.to_number,
            from_number: b.from_number,
            attachments: b.attachments,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InboundBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    conversation_id: Option<String>,
    contact_id: Option<String>,
    message: Option<String>,
    html: Option<String>,
    subject: Option<String>,
    email_from: Option<String>,
    email_to: Option<String>,
    #[serde(default)]
    email_cc: Vec<String>,
    #[serde(default)]
    email_bcc: Vec<String>,
    #[serde(default)]
    attachments: Vec<String>,
    direction: Option<String>,
    #[expect(dead_code, reason = "accepted and ignored: one provider per channel")]
    conversation_provider_id: Option<String>,
    #[expect(dead_code, reason = "accepted for compatibility")]
    alt_id: Option<String>,
    #[expect(dead_code, reason = "accepted for compatibility")]
    email_message_id: Option<String>,
}

impl From<InboundBody> for InboundInput {
    fn from(b: InboundBody) -> InboundInput {
        InboundInput {
            kind: b.kind,
            conversation_id: b.conversation_id,
            contact_id: b.contact_id,
            message: b.message,
            html: b.html,
            subject: b.subject,
            email_from: b.email_from,
            email_to: b.email_to,
            email_cc: b.email_cc,
            email_bcc: b.email_bcc,
            attachments: b.attachments,
            direction: b.direction,
        }
    }
}
