//! Schema migrations: numbered SQL files applied in order, each in its own transaction. The
//! PostgreSQL backend has the same numbers and names (a test checks both lists match).

use ivorey_store::{StoreError, StoreResult};
use rusqlite::TransactionBehavior;

use crate::contacts::index_existing_contacts;
use crate::error::db_err;
use crate::store::SqliteStore;

/// (version, name, SQL) of every migration, oldest first. Never edit an applied one.
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

impl SqliteStore {
    /// Applies pending migrations; returns the versions applied now.
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        self.call(|conn| {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
            )
            .map_err(db_err)?;
            let mut applied_now = Vec::new();
            for &(version, name, sql) in MIGRATIONS {
                // IMMEDIATE takes the write lock first, so two processes migrating together
                // serialise here and the second sees the version already applied.
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(db_err)?;
                let done: bool = tx
                    .query_row(
                        "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
                        [version],
                        |r| r.get(0),
                    )
                    .map_err(db_err)?;
                if done {
                    continue;
                }
                tx.execute_batch(sql)
                    .and_then(|()| match version {
                        CONTACT_TERMS => index_existing_contacts(&tx),
                        _ => Ok(()),
                    })
                    .map_err(|e| StoreError::Other(format!("migration {version} ({name}): {e}")))?;
                let now = ivorey_core::Clock::now(&ivorey_core::SystemClock).millis();
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![version, name, now],
                )
                .map_err(db_err)?;
                tx.commit().map_err(db_err)?;
                applied_now.push(version);
            }
            // Planner statistics: without them SQLite may walk the date index of a million
            // contacts to find one email. Cheap when nothing changed much since the last run.
            // A sampled analysis: a full one of the word index at 1,000,000 contacts (8.8M
            // rows) held the start for 34 s; sampled statistics gave the same plans.
            conn.execute_batch("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002")
                .map_err(db_err)?;
            crate::planner_stats::ensure_word_index_stats(conn).map_err(db_err)?;
            Ok(applied_now)
        })
        .await
    }

    /// Versions recorded as applied.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT version FROM schema_migrations ORDER BY version")
                .map_err(db_err)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(db_err)?;
            rows.collect::<Result<Vec<i64>, _>>().map_err(db_err)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use ivorey_store::contact_search::PREFIX_CHARS;

    /// The FTS5 prefix indexes cover the word prefixes the shared code counts on: the
    /// location's 40 hex characters, then 1 to `PREFIX_CHARS`.
    #[test]
    fn the_posting_index_has_a_prefix_index_per_short_prefix() {
        let lengths: Vec<String> = (1..=PREFIX_CHARS).map(|n| (40 + n).to_string()).collect();
        let option = format!("prefix = '{}'", lengths.join(" "));
        let sql = include_str!("../migrations/0013_contact_postings.sql");
        assert!(sql.contains(&option), "{option}");
    }
}
