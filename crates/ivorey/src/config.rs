//! Turning options into running parts: logging and the store.

use std::sync::Arc;

use anyhow::Context;
use ivorey_store::Store;
use ivorey_store_postgres::PgStore;
use ivorey_store_sqlite::SqliteStore;
use tracing_subscriber::EnvFilter;

use crate::cli::{GlobalArgs, LogFormat};

pub fn init_logging(args: &GlobalArgs) {
    // tokio-postgres logs statement parameters (password hashes, CSRF tokens, personal data) at
    // debug level: keep it at info unless the operator asks for it by name.
    let spec = if args.log.contains("tokio_postgres") {
        args.log.clone()
    } else {
        format!("{},tokio_postgres=info", args.log)
    };
    let filter = EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(args: &GlobalArgs) -> anyhow::Result<Arc<dyn Store>> {
    match args.database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store = PgStore::connect(url, None)
                .await
                .context("cannot connect to PostgreSQL")?;
            let applied = store
                .migrate()
                .await
                .context("cannot migrate the PostgreSQL schema")?;
            log_applied(&applied);
            Ok(Arc::new(store))
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            open_sqlite(std::path::Path::new(path)).await
        }
        Some(_) => {
            anyhow::bail!("--database-url must start with postgres://, postgresql:// or sqlite:")
        }
        None => {
            std::fs::create_dir_all(&args.data_dir).with_context(|| {
                format!("cannot create the data folder {}", args.data_dir.display())
            })?;
            open_sqlite(&args.data_dir.join("ivorey.db")).await
        }
    }
}

async fn open_sqlite(path: &std::path::Path) -> anyhow::Result<Arc<dyn Store>> {
    let store =
        SqliteStore::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let applied = store
        .migrate()
        .await
        .context("cannot migrate the SQLite schema")?;
    log_applied(&applied);
    Ok(Arc::new(store))
}

fn log_applied(applied: &[i64]) {
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrations applied");
    }
}
