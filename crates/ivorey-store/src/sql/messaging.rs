//! A location's delivery settings, for the `ConversationStore` impl in `conversations.rs`: one
//! row, the SMTP columns and the webhook columns each all set or all empty.

use ivorey_core::messaging::{MessagingSettings, SmtpSettings, SmtpTls, WebhookSettings};
use ivorey_core::{LocationId, Timestamp};

use super::{Row, Sql, SqlBackend, corrupt, ts};
use crate::{StoreResult, params, run};

static GET: Sql = Sql::new(
    "SELECT smtp_host, smtp_port, smtp_tls, smtp_username, smtp_password, smtp_from,
            webhook_url, webhook_secret, updated_at
     FROM messaging_settings WHERE location_id = $1",
);
static SAVE: Sql = Sql::new(
    "INSERT INTO messaging_settings (location_id, smtp_host, smtp_port, smtp_tls,
         smtp_username, smtp_password, smtp_from, webhook_url, webhook_secret, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (location_id) DO UPDATE SET smtp_host = excluded.smtp_host,
         smtp_port = excluded.smtp_port, smtp_tls = excluded.smtp_tls,
         smtp_username = excluded.smtp_username, smtp_password = excluded.smtp_password,
         smtp_from = excluded.smtp_from, webhook_url = excluded.webhook_url,
         webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at",
);

/// The settings of a row, without their location (the caller's).
struct Stored {
    smtp: Option<SmtpSettings>,
    webhook: Option<WebhookSettings>,
    updated_at: Timestamp,
}

fn settings(row: &dyn Row) -> StoreResult<Stored> {
    let smtp = match row.opt_string(0)? {
        Some(host) => Some(SmtpSettings {
            host,
            port: row
                .opt_int32(1)?
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| corrupt("SMTP port"))?,
            tls: row
                .opt_str(2)?
                .and_then(SmtpTls::parse)
                .ok_or_else(|| corrupt("SMTP TLS mode"))?,
            username: row.opt_string(3)?,
            password: row.opt_string(4)?,
            from: row.opt_string(5)?.unwrap_or_default(),
        }),
        None => None,
    };
    let webhook = match (row.opt_string(6)?, row.opt_string(7)?) {
        (Some(url), Some(secret)) => Some(WebhookSettings { url, secret }),
        _ => None,
    };
    Ok(Stored {
        smtp,
        webhook,
        updated_at: ts(row, 8)?,
    })
}

pub(super) async fn get<B: SqlBackend>(
    store: &B,
    location: &LocationId,
) -> StoreResult<Option<MessagingSettings>> {
    let found = run!(store.read, [location], |db| {
        db.opt(&GET, params![&location], settings).await
    })?;
    Ok(found.map(|s| MessagingSettings {
        location_id: location.clone(),
        smtp: s.smtp,
        webhook: s.webhook,
        updated_at: s.updated_at,
    }))
}

pub(super) async fn save<B: SqlBackend>(store: &B, s: &MessagingSettings) -> StoreResult<()> {
    run!(store.write, [s], |db| {
        let smtp = s.smtp.as_ref();
        let hook = s.webhook.as_ref();
        let p = params![
            &s.location_id,
            smtp.map(|m| m.host.as_str()),
            smtp.map(|m| i32::from(m.port)),
            smtp.map(|m| m.tls.as_str()),
            smtp.and_then(|m| m.username.as_deref()),
            smtp.and_then(|m| m.password.as_deref()),
            smtp.map(|m| m.from.as_str()),
            hook.map(|h| h.url.as_str()),
            hook.map(|h| h.secret.as_str()),
            s.updated_at
        ];
        db.execute(&SAVE, p).await.map(drop)
    })
}
