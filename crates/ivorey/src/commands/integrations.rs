//! `ivorey integrations ...`: the operator's view of Private Integrations. Changes go through the
//! same services as the management API (validation, audit entry) and bind a running server at
//! once, since the server checks every token against the database.

use anyhow::anyhow;
use ivorey_app::integrations::{self as ops, Issued};
use ivorey_core::audit::Actor;
use ivorey_core::integration::{
    Integration, IntegrationInput, IntegrationPatchInput, RotationExpiry,
};
use ivorey_core::{Clock, IntegrationId, LocationId, SystemClock};
use ivorey_store::Store;
use serde_json::json;

use super::cli_error;
use crate::cli::{Expire, GlobalArgs, IntegrationsCommand};

pub async fn run(
    store: &dyn Store,
    global: &GlobalArgs,
    cmd: IntegrationsCommand,
) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let actor = Actor::cli();
    match cmd {
        IntegrationsCommand::Create(args) => {
            let location = LocationId::parse(&args.location)
                .map_err(|_| anyhow!("--location must be a Location ID"))?;
            let input = IntegrationInput {
                name: args.name,
                description: args.description,
                scopes: args.scopes,
                expires_at: args.expires_at,
                ip_allowlist: args.ip_allowlist,
            };
            let issued = ops::create(store, now, &location, &input, &actor)
                .await
                .map_err(cli_error)?;
            print_issued(&issued, args.json);
        }
        IntegrationsCommand::List { location, json } => {
            let location = LocationId::parse(&location)
                .map_err(|_| anyhow!("--location must be a Location ID"))?;
            let list = store.list_integrations(&location, now).await?;
            if json {
                println!("{}", json!({ "integrations": list }));
            } else if list.is_empty() {
                println!("No Private Integrations in this location.");
            } else {
                for i in &list {
                    println!(
                        "{}  {}  [{}]  token …{}",
                        i.id,
                        i.name,
                        scope_names(i),
                        i.token_hint
                    );
                }
            }
        }
        IntegrationsCommand::Show { id, json } => {
            let (location, id) = locate(store, &id).await?;
            let integration = ops::get(store, now, &location, &id)
                .await
                .map_err(cli_error)?;
            print_integration(&integration, json);
        }
        IntegrationsCommand::Edit(args) => {
            let (location, id) = locate(store, &args.id).await?;
            let clear_empty = |v: Option<String>| v.map(|s| (!s.trim().is_empty()).then_some(s));
            let input = IntegrationPatchInput {
                name: args.name,
                description: clear_empty(args.description),
                scopes: args.scopes,
                expires_at: clear_empty(args.expires_at),
                ip_allowlist: args
                    .ip_allowlist
                    .map(|l| l.into_iter().filter(|e| !e.trim().is_empty()).collect()),
            };
            let integration = ops::edit(store, now, &location, &id, &input, &actor)
                .await
                .map_err(cli_error)?;
            print_integration(&integration, args.json);
        }
        IntegrationsCommand::Rotate { id, expire, json } => {
            let (location, id) = locate(store, &id).await?;
            let expiry = match expire {
                Expire::Later => RotationExpiry::Later(global.rotation_grace),
                Expire::Now => RotationExpiry::Now,
            };
            let issued = ops::rotate(store, now, &location, &id, expiry, &actor)
                .await
                .map_err(cli_error)?;
            print_issued(&issued, json);
        }
        IntegrationsCommand::ExpireOldToken { id } => {
            let (location, id) = locate(store, &id).await?;
            ops::expire_old_token(store, now, &location, &id, &actor)
                .await
                .map_err(cli_error)?;
            println!("The old token of {id} no longer works.");
        }
        IntegrationsCommand::Delete { id } => {
            let (location, id) = locate(store, &id).await?;
            let deleted = ops::delete(store, now, &location, &id, &actor)
                .await
                .map_err(cli_error)?;
            println!(
                "Deleted {} ({}); its tokens no longer work.",
                deleted.id, deleted.name
            );
        }
    }
    Ok(())
}

/// The operator names an integration by id alone; find its location.
async fn locate(store: &dyn Store, raw: &str) -> anyhow::Result<(LocationId, IntegrationId)> {
    let id = IntegrationId::parse(raw).map_err(|_| anyhow!("{raw:?} is not an integration id"))?;
    let location = store
        .integration_location(&id)
        .await?
        .ok_or_else(|| anyhow!("Private Integration {id} not found"))?;
    Ok((location, id))
}

fn scope_names(i: &Integration) -> String {
    i.scopes
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(",")
}

fn print_issued(issued: &Issued, as_json: bool) {
    let i = &issued.integration;
    if as_json {
        println!(
            "{}",
            json!({
                "id": i.id,
                "name": i.name,
                "token": issued.token.expose_secret(),
                "locationId": i.location_id,
                "scopes": i.scopes,
                "previousTokenExpiresAt": i.previous_token.as_ref().map(|p| p.expires_at),
            })
        );
    } else {
        println!(
            "Private Integration {} ({}) in location {}",
            i.id, i.name, i.location_id
        );
        println!("Scopes: {}", scope_names(i));
        if let Some(previous) = &i.previous_token {
            println!("The old token keeps working until {}.", previous.expires_at);
        }
        println!(
            "\nToken (shown only once, store it securely now):\n{}",
            issued.token.expose_secret()
        );
    }
}

fn print_integration(i: &Integration, as_json: bool) {
    if as_json {
        println!("{}", json!({ "integration": i }));
        return;
    }
    println!("{}  {}", i.id, i.name);
    println!("  location:    {}", i.location_id);
    if let Some(d) = &i.description {
        println!("  description: {d}");
    }
    println!("  scopes:      {}", scope_names(i));
    println!(
        "  token:       …{} (since {})",
        i.token_hint, i.token_created_at
    );
    if let Some(p) = &i.previous_token {
        println!(
            "  old token:   …{} works until {}",
            p.token_hint, p.expires_at
        );
    }
    if let Some(at) = i.expires_at {
        println!("  expires:     {at}");
    }
    if !i.ip_allowlist.is_empty() {
        println!("  allowed IPs: {}", i.ip_allowlist.to_storage());
    }
    println!("  created:     {} by {}", i.created_at, i.created_by);
    match i.last_used_at {
        Some(at) => println!("  last used:   {at}"),
        None => println!("  last used:   never"),
    }
}
