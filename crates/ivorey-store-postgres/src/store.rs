//! The store itself: the connection pool, the grant cache and its listener.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use ivorey_store::grant_cache::{DEFAULT_CAPACITY, GrantCache};
use ivorey_store::{StoreError, StoreResult};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::auth_listener;
use crate::error::{db_err, pool_err};

/// Connections kept open per server process. PostgreSQL's default `max_connections` is 100, so
/// a handful of nodes fit.
const POOL_SIZE: usize = 16;
/// How long a request waits for a free connection before the store reports `Unavailable`.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening a new connection may take, when the URL does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The PostgreSQL store. Clones share one pool.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: Pool,
    /// `user@host:port/dbname`, for `Debug`: never the password.
    pub(crate) target: String,
    pub(crate) schema: Option<String>,
    /// Verified grants, trusted only while `listener` is connected (see `auth_listener.rs`).
    pub(crate) grants: Arc<GrantCache>,
    pub(crate) listener: Arc<auth_listener::AuthListener>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .field("schema", &self.schema)
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PgStore {
    /// Opens a pool on `url` and checks that the database answers. With `schema`, every
    /// connection works in that schema (created if absent), so tests and several deployments
    /// can share one database.
    pub async fn connect(url: &str, schema: Option<&str>) -> StoreResult<PgStore> {
        // The parse error is not shown: it could quote part of the URL, password included.
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Unavailable("invalid PostgreSQL URL".into()))?;
        if let Some(schema) = schema {
            if !is_plain_identifier(schema) {
                return Err(StoreError::Other(
                    "schema must be lowercase letters, digits and underscores".into(),
                ));
            }
            let options = match config.get_options() {
                Some(existing) => format!("{existing} -c search_path={schema}"),
                None => format!("-c search_path={schema}"),
            };
            config.options(&options);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("ivorey");
        }
        let target = describe_target(&config);
        let listener = auth_listener::AuthListener::new(config.clone());
        // Fast recycling checks only that the socket is open: a verifying query on every
        // checkout would double the round trips of the token lookup. A connection the server
        // dropped fails its next query as `Unavailable` and is then discarded.
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = Manager::from_config(config, NoTls, manager_config);
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Other(format!("building the connection pool: {e}")))?;
        let store = PgStore {
            pool,
            target,
            schema: schema.map(str::to_owned),
            grants: Arc::new(GrantCache::untrusted(DEFAULT_CAPACITY)),
            listener: Arc::new(listener),
        };
        let client = store.client().await?;
        if let Some(schema) = schema {
            // A missing schema in search_path is skipped silently, leaving migrations nowhere
            // to create their tables; create it before anything else runs. The name was
            // checked above, so it needs no quoting.
            // Two processes creating it at once can both pass the IF NOT EXISTS; the loser's
            // unique violation only means the schema is there.
            let sql = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
            match client.batch_execute(&sql).await {
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {}
                other => other.map_err(db_err)?,
            }
        }
        Ok(store)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> StoreResult<Object> {
        self.pool.get().await.map_err(pool_err)
    }
}

/// Whether `s` can be spliced into SQL and a `-c search_path=` option without quoting.
pub(crate) fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `user@host:port/dbname` from a config, leaving out the password.
pub(crate) fn describe_target(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    format!(
        "{}@{}:{}/{}",
        config.get_user().unwrap_or("?"),
        hosts.join(","),
        ports.join(","),
        config.get_dbname().unwrap_or("?")
    )
}
