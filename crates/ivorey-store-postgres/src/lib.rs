//! Ivorey's PostgreSQL store: every storage trait over a `deadpool-postgres` pool, for
//! deployments where several server nodes share one database.
//!
//! Connections use no TLS (`NoTls`): the database is expected on the same host or on a private
//! network. Put a TLS-terminating proxy in between if it is not.

mod auth_listener;
mod backend;
mod contact_search;
mod contacts;
mod db;
mod error;
mod migrate;
mod rate_limits;
mod row;
mod store;
mod tokens;

use async_trait::async_trait;
use ivorey_store::grant_cache::GrantCache;
use ivorey_store::{Store, StoreResult};

pub use migrate::MIGRATIONS;
pub use rate_limits::PgRateCounter;
pub use store::PgStore;

use crate::error::db_err;

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    #[tracing::instrument(skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(db_err)?;
        Ok(())
    }

    fn grant_cache(&self) -> Option<&GrantCache> {
        Some(&self.grants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{describe_target, is_plain_identifier};
    use ivorey_store::StoreError;

    #[test]
    fn only_plain_schema_names_are_accepted() {
        assert!(is_plain_identifier("t_abc123"));
        for bad in [
            "",
            "Upper",
            "1abc",
            "a-b",
            "a b",
            "a;drop",
            "\"x\"",
            &"a".repeat(64),
        ] {
            assert!(!is_plain_identifier(bad), "{bad:?}");
        }
    }

    #[test]
    fn target_description_leaves_out_the_password() {
        let config: tokio_postgres::Config = "postgres://ivorey:s3cret@db.internal:5433/crm"
            .parse()
            .unwrap();
        let target = describe_target(&config);
        assert_eq!(target, "ivorey@db.internal:5433/crm");
    }

    #[tokio::test]
    async fn unreachable_database_is_unavailable_without_the_password() {
        // Port 1 on localhost refuses connections at once.
        let err = PgStore::connect("postgres://u:hunter2@127.0.0.1:1/db", None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = PgStore::connect("postgres://u:hunter2@[bad", None)
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
