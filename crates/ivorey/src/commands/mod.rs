//! One module per command.

mod admin;
mod integrations;
mod seed;
mod serve;

use ivorey_app::AppError;

use crate::cli::{Cli, Command};
use crate::config::open_store;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let store = open_store(&cli.global).await?;
    match cli.command {
        Command::Serve(args) => serve::run(store, &cli.global, args).await,
        Command::Migrate => {
            println!("Database schema is up to date ({}).", store.backend());
            Ok(())
        }
        Command::Admin(cmd) => admin::run(store.as_ref(), &cli.global, cmd).await,
        Command::Integrations(cmd) => integrations::run(store.as_ref(), &cli.global, cmd).await,
        Command::Seed(args) => seed::run(store, args).await,
    }
}

/// A refused operation: the message the operator reads and the exit code a script can test
/// (`main` finds it behind any context).
#[derive(Debug)]
pub struct Refused {
    message: String,
    pub exit_code: u8,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

/// Exit codes after sysexits(3): 65 the input was wrong, 69 the database is unreachable (worth
/// retrying), 70 a bug; 1 anything else refused (not found, conflict).
pub(crate) fn cli_error(e: AppError) -> anyhow::Error {
    let exit_code = match e {
        AppError::Invalid(_) => 65,
        AppError::Unavailable => 69,
        AppError::Internal(_) => 70,
        AppError::NotFound(_) | AppError::Conflict(_) | AppError::TooManyRequests { .. } => 1,
    };
    anyhow::Error::new(Refused {
        message: e.to_string(),
        exit_code,
    })
}
