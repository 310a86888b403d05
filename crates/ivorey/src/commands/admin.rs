//! `ivorey admin create-location`.

use std::io::BufRead;

use anyhow::Context;
use ivorey_core::location::BusinessProfile;
use ivorey_core::{Clock, SystemClock};
use ivorey_http::app::accounts;
use ivorey_store::Store;
use serde_json::json;

use super::cli_error;
use crate::cli::AdminCommand;

pub async fn run(store: &dyn Store, cmd: AdminCommand) -> anyhow::Result<()> {
    let AdminCommand::CreateLocation(args) = cmd;
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let profile = BusinessProfile {
        name: args.name,
        ..Default::default()
    };
    let created = accounts::create_location(
        store,
        SystemClock.now(),
        profile,
        &args.admin_email,
        args.admin_name.as_deref(),
        password.as_deref(),
    )
    .await
    .map_err(cli_error)?;
    if args.json {
        println!(
            "{}",
            json!({
                "locationId": created.location.id,
                "name": created.location.profile.name,
                "adminUserId": created.admin,
                "adminEmail": args.admin_email.trim().to_lowercase(),
                "adminCreated": created.admin_created,
            })
        );
    } else {
        println!("{}", created.location.id);
    }
    Ok(())
}
