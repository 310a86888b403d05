//! A location's delivery settings in SQLite: one row, the SMTP columns and the webhook columns
//! each all set or all empty.

use ivorey_core::LocationId;
use ivorey_core::Timestamp;
use ivorey_core::messaging::{MessagingSettings, SmtpSettings, SmtpTls, WebhookSettings};
use ivorey_store::StoreResult;
use rusqlite::{OptionalExtension, params};

use crate::conversations::write_err;
use crate::locations::conversion_err;
use crate::{SqliteStore, db_err};

impl SqliteStore {
    pub(crate) async fn sqlite_messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>> {
        let location = location.clone();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT smtp_host, smtp_port, smtp_tls, smtp_username, smtp_password, smtp_from,
                        webhook_url, webhook_secret, updated_at
                 FROM messaging_settings WHERE location_id = ?1",
            )
            .map_err(db_err)?
            .query_row(params![location.as_str()], |row| {
                let host: Option<String> = row.get(0)?;
                let tls: Option<String> = row.get(2)?;
                let smtp = match (host, tls.as_deref().and_then(SmtpTls::parse)) {
                    (Some(host), Some(tls)) => Some(SmtpSettings {
                        host,
                        port: row.get(1)?,
                        tls,
                        username: row.get(3)?,
                        password: row.get(4)?,
                        from: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    }),
                    (Some(_), None) => return Err(conversion_err(2, ivorey_core::ids::InvalidId)),
                    _ => None,
                };
                let url: Option<String> = row.get(6)?;
                let secret: Option<String> = row.get(7)?;
                let webhook = match (url, secret) {
                    (Some(url), Some(secret)) => Some(WebhookSettings { url, secret }),
                    _ => None,
                };
                Ok(MessagingSettings {
                    location_id: location.clone(),
                    smtp,
                    webhook,
                    updated_at: Timestamp(row.get(8)?),
                })
            })
            .optional()
            .map_err(db_err)
        })
        .await
    }

    pub(crate) async fn sqlite_save_messaging_settings(
        &self,
        s: &MessagingSettings,
    ) -> StoreResult<()> {
        let s = s.clone();
        self.call(move |conn| {
            let smtp = s.smtp.as_ref();
            let hook = s.webhook.as_ref();
            conn.prepare_cached(
                "INSERT INTO messaging_settings (location_id, smtp_host, smtp_port, smtp_tls,
                     smtp_username, smtp_password, smtp_from, webhook_url, webhook_secret,
                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (location_id) DO UPDATE SET smtp_host = excluded.smtp_host,
                     smtp_port = excluded.smtp_port, smtp_tls = excluded.smtp_tls,
                     smtp_username = excluded.smtp_username,
                     smtp_password = excluded.smtp_password, smtp_from = excluded.smtp_from,
                     webhook_url = excluded.webhook_url,
                     webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at",
            )
            .map_err(db_err)?
            .execute(params![
                s.location_id.as_str(),
                smtp.map(|m| m.host.as_str()),
                smtp.map(|m| m.port),
                smtp.map(|m| m.tls.as_str()),
                smtp.and_then(|m| m.username.as_deref()),
                smtp.and_then(|m| m.password.as_deref()),
                smtp.map(|m| m.from.as_str()),
                hook.map(|h| h.url.as_str()),
                hook.map(|h| h.secret.as_str()),
                s.updated_at.0
            ])
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }
}
