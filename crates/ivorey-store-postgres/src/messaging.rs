//! A location's delivery settings in PostgreSQL: one row, the SMTP columns and the webhook
//! columns each all set or all empty.

use ivorey_core::LocationId;
use ivorey_core::messaging::{MessagingSettings, SmtpSettings, SmtpTls, WebhookSettings};
use ivorey_store::StoreResult;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{get, ts};

impl PgStore {
    pub(crate) async fn pg_messaging_settings(
        &self,
        location: &LocationId,
    ) -> StoreResult<Option<MessagingSettings>> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT smtp_host, smtp_port, smtp_tls, smtp_username, smtp_password, smtp_from, \
                 webhook_url, webhook_secret, updated_at \
                 FROM messaging_settings WHERE location_id = $1",
                &[&location.as_str()],
            )
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let smtp = match get::<Option<String>>(&row, "smtp_host")? {
            Some(host) => {
                let tls: Option<String> = get(&row, "smtp_tls")?;
                let port: Option<i32> = get(&row, "smtp_port")?;
                Some(SmtpSettings {
                    host,
                    port: port
                        .and_then(|p| u16::try_from(p).ok())
                        .ok_or_else(|| corrupt("SMTP port"))?,
                    tls: tls
                        .as_deref()
                        .and_then(SmtpTls::parse)
                        .ok_or_else(|| corrupt("SMTP TLS mode"))?,
                    username: get(&row, "smtp_username")?,
                    password: get(&row, "smtp_password")?,
                    from: get::<Option<String>>(&row, "smtp_from")?.unwrap_or_default(),
                })
            }
            None => None,
        };
        let url: Option<String> = get(&row, "webhook_url")?;
        let secret: Option<String> = get(&row, "webhook_secret")?;
        let webhook = match (url, secret) {
            (Some(url), Some(secret)) => Some(WebhookSettings { url, secret }),
            _ => None,
        };
        Ok(Some(MessagingSettings {
            location_id: location.clone(),
            smtp,
            webhook,
            updated_at: ts(&row, "updated_at")?,
        }))
    }

    pub(crate) async fn pg_save_messaging_settings(
        &self,
        s: &MessagingSettings,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let smtp = s.smtp.as_ref();
        let hook = s.webhook.as_ref();
        client
            .execute(
                "INSERT INTO messaging_settings (location_id, smtp_host, smtp_port, smtp_tls, \
                 smtp_username, smtp_password, smtp_from, webhook_url, webhook_secret, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (location_id) DO UPDATE SET smtp_host = excluded.smtp_host, \
                 smtp_port = excluded.smtp_port, smtp_tls = excluded.smtp_tls, \
                 smtp_username = excluded.smtp_username, smtp_password = excluded.smtp_password, \
                 smtp_from = excluded.smtp_from, webhook_url = excluded.webhook_url, \
                 webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at",
                &[
                    &s.location_id.as_str(),
                    &smtp.map(|m| m.host.as_str()),
                    &smtp.map(|m| i32::from(m.port)),
                    &smtp.map(|m| m.tls.as_str()),
                    &smtp.and_then(|m| m.username.as_deref()),
                    &smtp.and_then(|m| m.password.as_deref()),
                    &smtp.map(|m| m.from.as_str()),
                    &hook.map(|h| h.url.as_str()),
                    &hook.map(|h| h.secret.as_str()),
                    &s.updated_at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
