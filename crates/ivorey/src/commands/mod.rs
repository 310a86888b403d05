//! One module per command.

mod admin;
mod integrations;
mod seed;
mod serve;

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
        Command::Admin(cmd) => admin::run(store.as_ref(), cmd).await,
        Command::Integrations(cmd) => integrations::run(store.as_ref(), &cli.global, cmd).await,
        Command::Seed(args) => seed::run(store, args).await,
    }
}

/// Turns an API error into a CLI error with the same message a client would see.
fn cli_error(e: ivorey_http::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.describe())
}
