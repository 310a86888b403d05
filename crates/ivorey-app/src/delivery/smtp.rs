//! Email delivery over SMTP with lettre (tokio, rustls). Connection failures, timeouts and 4xx
//! replies are worth another attempt; 5xx replies and bad addresses are not.

use std::time::Duration;

use ivorey_core::conversation::{Message, MessageStatus};
use ivorey_core::messaging::{SmtpSettings, SmtpTls};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::attempt::AttemptError;

fn mailbox(field: &str, raw: &str) -> Result<Mailbox, AttemptError> {
    raw.parse::<Mailbox>()
        .map_err(|_| AttemptError::permanent(format!("{field} is not a valid email address")))
}

fn build_email(
    settings: &SmtpSettings,
    message: &Message,
) -> Result<lettre::Message, AttemptError> {
    let c = &message.content;
    let from = mailbox(
        "emailFrom",
        c.email_from.as_deref().unwrap_or(&settings.from),
    )?;
    let to = mailbox("emailTo", c.email_to.as_deref().unwrap_or_default())?;
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(c.subject.clone().unwrap_or_default())
        .message_id(Some(format!("<{}@ivorey>", message.id)));
    for cc in &c.email_cc {
        builder = builder.cc(mailbox("emailCc", cc)?);
    }
    for bcc in &c.email_bcc {
        builder = builder.bcc(mailbox("emailBcc", bcc)?);
    }
    let built = match &c.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.body.clone(),
            html.clone(),
        )),
        None => builder.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(message.body.clone()),
        ),
    };
    built.map_err(|e| AttemptError::permanent(format!("the email could not be built: {e}")))
}

fn transport(
    settings: &SmtpSettings,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, AttemptError> {
    let host = settings.host.as_str();
    let builder = match settings.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|_| AttemptError::permanent("the SMTP TLS settings are invalid"))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|_| AttemptError::permanent("the SMTP TLS settings are invalid"))?,
    };
    let mut builder = builder.port(settings.port).timeout(Some(timeout));
    if let Some(user) = &settings.username {
        let password = settings.password.clone().unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

pub(super) async fn send(
    settings: &SmtpSettings,
    message: &Message,
    timeout: Duration,
) -> Result<MessageStatus, AttemptError> {
    let email = build_email(settings, message)?;
    let transport = transport(settings, timeout)?;
    match transport.send(email).await {
        Ok(_) => Ok(MessageStatus::Sent),
        Err(e) => {
            // lettre's text names the server's reply or the I/O error, never the credentials.
            let summary = match e.status() {
                Some(code) => format!("the SMTP server refused the message ({code})"),
                None if e.is_timeout() => "the SMTP server timed out".to_owned(),
                None if e.is_tls() => "the TLS handshake with the SMTP server failed".to_owned(),
                None => "the SMTP server could not be reached".to_owned(),
            };
            Err(AttemptError {
                retry: !e.is_permanent(),
                summary,
            })
        }
    }
}

/// Sends one plain-text email that is not a conversation message (a team invitation), now and
/// once: the caller shows what failed instead of retrying. The error says what went wrong in
/// words an admin can act on, never the credentials.
pub(crate) async fn send_plain(
    settings: &SmtpSettings,
    to: &str,
    subject: &str,
    body: String,
    timeout: Duration,
) -> Result<(), String> {
    let email = lettre::Message::builder()
        .from(mailbox("from", &settings.from).map_err(|e| e.summary)?)
        .to(mailbox("to", to).map_err(|e| e.summary)?)
        .subject(subject)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body),
        )
        .map_err(|e| format!("the email could not be built: {e}"))?;
    let transport = transport(settings, timeout).map_err(|e| e.summary)?;
    match transport.send(email).await {
        Ok(_) => Ok(()),
        Err(e) => Err(match e.status() {
            Some(code) => format!("the SMTP server refused the email ({code})"),
            None if e.is_timeout() => "the SMTP server timed out".to_owned(),
            None => "the SMTP server could not be reached".to_owned(),
        }),
    }
}
