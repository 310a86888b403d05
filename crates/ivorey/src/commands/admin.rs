//! `ivorey admin create-location`, `ivorey admin set-rate-limits` and `ivorey admin add-user`.

use std::io::BufRead;

use anyhow::Context;
use ivorey_app::team::{self, Invite, NewMember};
use ivorey_app::{AppError, accounts, rate_limits};
use ivorey_core::LocationId;
use ivorey_core::audit::Actor;
use ivorey_core::location::BusinessProfile;
use ivorey_core::{Clock, SystemClock};
use ivorey_store::{LocationRateLimits, Store};
use serde_json::json;

use super::cli_error;
use crate::cli::{
    AddUserArgs, AdminCommand, CreateLocationArgs, GlobalArgs, LimitArg, RoleArg, SetRateLimitsArgs,
};

pub async fn run(store: &dyn Store, global: &GlobalArgs, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateLocation(args) => create_location(store, args).await,
        AdminCommand::SetRateLimits(args) => set_rate_limits(store, args).await,
        AdminCommand::AddUser(args) => add_user(store, global, args).await,
    }
}

/// Where the printed link points when no `--public-url` is given: `serve`'s default address.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Adds a team member; prints their one-time sign-in link (the operator hands it over, so the
/// location's SMTP server is not used here).
async fn add_user(store: &dyn Store, global: &GlobalArgs, args: AddUserArgs) -> anyhow::Result<()> {
    let location = LocationId::parse(args.location.trim())
        .map_err(|_| cli_error(AppError::invalid("location", "must be a Location ID")))?;
    if store.get_location(&location).await?.is_none() {
        return Err(cli_error(AppError::NotFound("Location not found")));
    }
    let input = NewMember {
        name: args.name,
        email: args.email,
        role: match args.role {
            RoleArg::Admin => "admin",
            RoleArg::User => "user",
        }
        .to_owned(),
    };
    let base = global.public_url.as_deref().unwrap_or(DEFAULT_PUBLIC_URL);
    let added = team::add_member(
        store,
        SystemClock.now(),
        &location,
        &input,
        base,
        Invite::Link,
        &Actor::cli(),
    )
    .await
    .map_err(cli_error)?;
    let member = &added.member;
    if args.json {
        println!(
            "{}",
            json!({
                "userId": member.user.id,
                "email": member.user.email,
                "name": member.user.name,
                "role": member.role,
                "locationId": location,
                "created": added.created,
                "signInUrl": added.sign_in_url,
                "expiresAt": added.expires_at,
            })
        );
    } else {
        match &added.sign_in_url {
            Some(url) => println!("{url}"),
            None => println!(
                "{} already has an account and signs in with their own password.",
                member.user.email
            ),
        }
    }
    Ok(())
}

async fn create_location(store: &dyn Store, args: CreateLocationArgs) -> anyhow::Result<()> {
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

/// Changes only the limits named on the command line; prints the location's own limits.
async fn set_rate_limits(store: &dyn Store, args: SetRateLimitsArgs) -> anyhow::Result<()> {
    let location = LocationId::parse(args.location.trim())
        .map_err(|_| anyhow::anyhow!("--location must be a Location ID"))?;
    if store.get_location(&location).await?.is_none() {
        anyhow::bail!("Location not found");
    }
    let current = store.location_rate_limits(&location).await?;
    let pick = |arg: Option<LimitArg>, now: Option<u64>| match arg {
        None => now,
        Some(LimitArg::Default) => None,
        Some(LimitArg::Value(n)) => Some(n),
    };
    let limits = LocationRateLimits {
        burst_max: pick(args.burst, current.burst_max),
        daily_max: pick(args.daily, current.daily_max),
    };
    let set = rate_limits::set_rate_limits(
        store,
        SystemClock.now(),
        &location,
        limits,
        None,
        &Actor::cli(),
    )
    .await
    .map_err(cli_error)?;
    if args.json {
        println!(
            "{}",
            json!({
                "locationId": location,
                "burstMax": set.burst_max,
                "dailyMax": set.daily_max,
            })
        );
    } else {
        println!("{} for location {location}", rate_limits::describe(&set));
    }
    Ok(())
}
