//! Schema migrations: the numbered SQL files under `migrations/`, with the same version numbers
//! as the SQLite backend, applied in order and recorded in `schema_migrations`.

use ivorey_core::{Clock, SystemClock};
use ivorey_store::StoreResult;

use crate::contacts::index_existing_contacts;
use crate::error::db_err;
use crate::store::PgStore;

/// Every migration: (version, name, SQL). Never edit one that has shipped; add the next.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "opportunities",
        include_str!("../migrations/0002_opportunities.sql"),
    ),
    (
        3,
        "contact_notes",
        include_str!("../migrations/0003_contact_notes.sql"),
    ),
    (
        4,
        "contact_tasks_custom_fields",
        include_str!("../migrations/0004_contact_tasks_custom_fields.sql"),
    ),
    (
        5,
        "conversations",
        include_str!("../migrations/0005_conversations.sql"),
    ),
    (
        6,
        "calendars",
        include_str!("../migrations/0006_calendars.sql"),
    ),
    (7, "forms", include_str!("../migrations/0007_forms.sql")),
    (
        8,
        "payments",
        include_str!("../migrations/0008_payments.sql"),
    ),
    (
        9,
        "auth_epoch",
        include_str!("../migrations/0009_auth_epoch.sql"),
    ),
    (
        10,
        "rate_limits",
        include_str!("../migrations/0010_rate_limits.sql"),
    ),
    (
        11,
        "rate_limit_grants_and_leases",
        include_str!("../migrations/0011_rate_limit_grants_and_leases.sql"),
    ),
    (
        12,
        "contact_terms",
        include_str!("../migrations/0012_contact_terms.sql"),
    ),
    (
        13,
        "contact_postings",
        include_str!("../migrations/0013_contact_postings.sql"),
    ),
    (
        14,
        "sign_in_links",
        include_str!("../migrations/0014_sign_in_links.sql"),
    ),
    (
        15,
        "crm_workspace",
        include_str!("../migrations/0015_crm_workspace.sql"),
    ),
    (
        16,
        "inbox_order",
        include_str!("../migrations/0016_inbox_order.sql"),
    ),
    (
        17,
        "contact_imports",
        include_str!("../migrations/0017_contact_imports.sql"),
    ),
    (
        18,
        "record_attribution",
        include_str!("../migrations/0018_record_attribution.sql"),
    ),
    (
        19,
        "pipeline_board",
        include_str!("../migrations/0019_pipeline_board.sql"),
    ),
    (
        20,
        "form_thanks",
        include_str!("../migrations/0020_form_thanks.sql"),
    ),
    (
        21,
        "calendar_buffers",
        include_str!("../migrations/0021_calendar_buffers.sql"),
    ),
];

/// The migration whose Rust step writes the word rows of the contacts stored before it.
const CONTACT_TERMS: i64 = 12;

/// The first half of the advisory lock key: "iv" in ASCII, so the lock is recognisable in
/// `pg_locks`. The second half is the schema's hash: processes migrating the same schema wait
/// for each other, those on other schemas of the database do not.
const LOCK_CLASS: i32 = 0x6976;

impl PgStore {
    /// Applies the pending migrations in one transaction and returns their versions (empty
    /// when the schema was up to date). Several processes starting at once are safe: the
    /// transaction holds an advisory lock, so the second sees what the first applied.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext(COALESCE(current_schema(), '')))",
            &[&LOCK_CLASS],
        )
        .await
        .map_err(db_err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .await
        .map_err(db_err)?;
        let rows = tx
            .query("SELECT version FROM schema_migrations", &[])
            .await
            .map_err(db_err)?;
        let done: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        let known_max = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
        if let Some(newer) = done.iter().copied().filter(|v| *v > known_max).max() {
            // A newer release migrated this database (e.g. mid rolling upgrade); additive
            // migrations keep older servers working, so warn rather than refuse to start.
            // (Past migration 13 an older server's contact writes miss the posting index:
            // the README says to stop older servers before it.)
            tracing::warn!(
                newer,
                known_max,
                "database schema is newer than this release"
            );
        }
        let mut applied = Vec::new();
        for &(version, name, sql) in MIGRATIONS {
            if done.contains(&version) {
                continue;
            }
            tx.batch_execute(sql).await.map_err(db_err)?;
            if version == CONTACT_TERMS {
                index_existing_contacts(&tx).await?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&version, &name, &SystemClock.now().millis()],
            )
            .await
            .map_err(db_err)?;
            tracing::info!(version, name, "applied migration");
            applied.push(version);
        }
        tx.commit().await.map_err(db_err)?;
        Ok(applied)
    }

    /// The versions recorded in `schema_migrations`, ascending; empty on a fresh database.
    #[tracing::instrument(skip_all)]
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        let client = self.client().await?;
        let exists = client
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .await
            .map_err(db_err)?;
        if !exists.try_get::<_, bool>(0).map_err(db_err)? {
            return Ok(Vec::new());
        }
        let rows = client
            .query(
                "SELECT version FROM schema_migrations ORDER BY version",
                &[],
            )
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| r.try_get(0).map_err(db_err)).collect()
    }
}

#[cfg(test)]
mod tests {
    use ivorey_store::contact_search::PREFIX_CHARS;

    /// The prefix lexemes cover the word prefixes the shared code looks up exactly.
    #[test]
    fn the_posting_lexemes_hold_each_short_prefix() {
        let series = format!("generate_series(1, least({PREFIX_CHARS}, char_length(t)))");
        let sql = include_str!("../migrations/0013_contact_postings.sql");
        assert!(sql.contains(&series), "{series}");
    }
}
