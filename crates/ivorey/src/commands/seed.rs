//! `ivorey seed`: fills a location with realistic data at the size asked (contacts,
//! opportunities in a pipeline, appointments in a calendar, Private Integrations), with a progress bar, for benchmarks and
//! demos. Records go through the same store writes as the API, so what is seeded is what the API
//! would have written; contacts a thousand to a transaction (`insert_contacts`), and several
//! inserts run at once to keep a PostgreSQL pool busy.

mod appointments;
mod data;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use ivorey_app::{accounts, integrations, pipelines};
use ivorey_core::audit::Actor;
use ivorey_core::integration::IntegrationInput;
use ivorey_core::location::BusinessProfile;
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::{Clock, ContactId, LocationId, OpportunityId, Scope, SystemClock, Timestamp};
use ivorey_store::Store;
use serde_json::json;
use tokio::task::JoinSet;

use self::data::Rng;
use super::cli_error;
use crate::cli::SeedArgs;

/// Inserts in flight at once: enough to fill a PostgreSQL pool, harmless for SQLite (whose
/// writes queue for its one writer).
const IN_FLIGHT: u64 = 8;

/// Contacts per store call (one transaction): a commit per contact, not the writes, was most
/// of the seed's time; more per call would only hold SQLite's writer longer.
const CONTACT_BATCH: u64 = 1_000;

pub async fn run(store: Arc<dyn Store>, args: SeedArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let location = match &args.location {
        Some(raw) => {
            let id =
                LocationId::parse(raw).map_err(|_| anyhow!("--location must be a Location ID"))?;
            store
                .get_location(&id)
                .await?
                .ok_or_else(|| anyhow!("no location with ID {raw}"))?;
            id
        }
        None => new_location(store.as_ref(), now, args.seed).await?,
    };
    let contacts = seed_contacts(&store, &location, &args, now).await?;
    if args.opportunities > 0 {
        seed_opportunities(&store, &location, &contacts, &args, now).await?;
    }
    if args.appointments > 0 {
        appointments::seed(&store, &location, &contacts, args.appointments, now).await?;
    }
    let tokens = seed_integrations(store.as_ref(), &location, args.integrations, now).await?;
    if let Some(path) = &args.tokens_file {
        write_tokens(path, &tokens)?;
    }
    let token = tokens.first();
    println!(
        "{}",
        json!({
            "locationId": location,
            "contacts": contacts.len(),
            "opportunities": args.opportunities.min(contacts.len() as u64),
            "integrations": args.integrations,
            "sampleContactId": contacts.first(),
            "token": token,
        })
    );
    Ok(())
}

/// A fresh location whose admin is `seed+<n>@example.com` (password `seeded-password-<n>`).
async fn new_location(store: &dyn Store, now: Timestamp, seed: u64) -> anyhow::Result<LocationId> {
    let profile = BusinessProfile {
        name: format!("Seeded Business {seed}"),
        ..Default::default()
    };
    let email = format!("seed+{seed}-{}@example.com", now.millis());
    let password = format!("seeded-password-{seed}");
    let created =
        accounts::create_location(store, now, profile, &email, None, Some(password.as_str()))
            .await
            .map_err(cli_error)?;
    eprintln!("Created location {} (admin {email})", created.location.id);
    Ok(created.location.id)
}

pub(super) fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let style =
        ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}

/// Runs `insert(n)` for every `n` in `0..count`, `IN_FLIGHT` at a time, ticking `bar` by the
/// records each call says it wrote.
pub(super) async fn fan_out<F, Fut>(count: u64, bar: &ProgressBar, insert: F) -> anyhow::Result<()>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<u64>> + Send + 'static,
{
    let insert = Arc::new(insert);
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (insert, next, bar) = (insert.clone(), next.clone(), bar.clone());
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return anyhow::Ok(());
                }
                let written = insert(n).await?;
                bar.inc(written);
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.context("a seeding task panicked")??;
    }
    bar.finish();
    Ok(())
}

async fn seed_contacts(
    store: &Arc<dyn Store>,
    location: &LocationId,
    args: &SeedArgs,
    now: Timestamp,
) -> anyhow::Result<Vec<ContactId>> {
    let bar = bar(args.contacts, "contacts");
    // Ids are kept (20 bytes each: 20 MB per million) so opportunities can name contacts.
    let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(
        args.contacts as usize,
    )));
    let (store, location, seed, kept) = (store.clone(), location.clone(), args.seed, ids.clone());
    let total = args.contacts;
    fan_out(total.div_ceil(CONTACT_BATCH), &bar, move |batch| {
        let (store, location, kept) = (store.clone(), location.clone(), kept.clone());
        async move {
            let first = batch * CONTACT_BATCH;
            let contacts: Vec<_> = (first..total.min(first + CONTACT_BATCH))
                .map(|n| data::contact(&mut Rng::new(seed ^ n), &location, n, now))
                .collect();
            store.insert_contacts(&contacts).await?;
            if let Ok(mut kept) = kept.lock() {
                kept.extend(contacts.into_iter().map(|c| c.id));
            }
            Ok(contacts_len(total, first))
        }
    })
    .await?;
    let ids = std::mem::take(&mut *ids.lock().map_err(|_| anyhow!("contact list poisoned"))?);
    Ok(ids)
}

/// How many contacts the batch starting at `first` holds.
fn contacts_len(total: u64, first: u64) -> u64 {
    total.min(first + CONTACT_BATCH) - first
}

const STAGES: [&str; 5] = [
    "New lead",
    "Contacted",
    "Proposal sent",
    "Negotiation",
    "Closed",
];

async fn seed_opportunities(
    store: &Arc<dyn Store>,
    location: &LocationId,
    contacts: &[ContactId],
    args: &SeedArgs,
    now: Timestamp,
) -> anyhow::Result<()> {
    // The location's first pipeline (a new location's starter), so the board opens on the
    // seeded deals; a location without one gets a "Sales" pipeline.
    let pipeline = match store.list_pipelines(location).await?.into_iter().next() {
        Some(first) => first,
        None => pipelines::create_pipeline(store.as_ref(), now, location, "Sales", &STAGES)
            .await
            .map_err(cli_error)?,
    };
    // One opportunity per contact and pipeline is the rule, so at most one per seeded contact.
    let count = args.opportunities.min(contacts.len() as u64);
    let bar = bar(count, "opportunities");
    let contacts: Arc<Vec<ContactId>> = Arc::new(contacts[..count as usize].to_vec());
    let (store, location, pipeline, seed) = (
        store.clone(),
        location.clone(),
        Arc::new(pipeline),
        args.seed,
    );
    fan_out(count, &bar, move |n| {
        let (store, location, pipeline, contacts) = (
            store.clone(),
            location.clone(),
            pipeline.clone(),
            contacts.clone(),
        );
        async move {
            let mut rng = Rng::new(seed.rotate_left(17) ^ n);
            let contact = store
                .get_contact(&location, &contacts[n as usize])
                .await?
                .ok_or_else(|| anyhow!("seeded contact vanished"))?;
            let opportunity = opportunity(&mut rng, &pipeline, &contact, now);
            store.insert_opportunity(&opportunity).await?;
            Ok(1)
        }
    })
    .await
}

fn opportunity(
    rng: &mut Rng,
    pipeline: &Pipeline,
    contact: &ivorey_core::contact::Contact,
    now: Timestamp,
) -> Opportunity {
    let stage = &pipeline.stages[rng.below(pipeline.stages.len() as u64) as usize];
    let status = match rng.below(10) {
        0..=5 => OpportunityStatus::Open,
        6 | 7 => OpportunityStatus::Won,
        8 => OpportunityStatus::Lost,
        _ => OpportunityStatus::Abandoned,
    };
    let cents = 5_000 + rng.below(2_000_000) as i64;
    let created = contact
        .date_added
        .max(Timestamp(now.millis() - 90 * 86_400_000));
    Opportunity {
        id: OpportunityId::generate(),
        location_id: contact.location_id.clone(),
        pipeline_id: pipeline.id.clone(),
        stage_id: stage.id.clone(),
        contact_id: contact.id.clone(),
        name: data::deal_name(rng, contact),
        status,
        monetary_value: MonetaryValue::from_minor(cents).unwrap_or_default(),
        assigned_to: None,
        source: contact.fields.source.clone(),
        lost_reason_id: None,
        created_at: created,
        updated_at: created,
        last_status_change_at: created,
        last_stage_change_at: created,
        created_by: None,
        updated_by: None,
    }
}

/// Creates `count` integrations (the first with every scope, the rest with a few) and returns
/// their tokens, for load tests.
async fn seed_integrations(
    store: &dyn Store,
    location: &LocationId,
    count: u64,
    now: Timestamp,
) -> anyhow::Result<Vec<String>> {
    let bar = bar(count, "integrations");
    let mut tokens = Vec::with_capacity(count as usize);
    for n in 0..count {
        let scopes: Vec<String> = if n == 0 {
            Scope::ALL.iter().map(|s| s.name().to_owned()).collect()
        } else {
            vec![
                Scope::ContactsRead.name().into(),
                Scope::OpportunitiesRead.name().into(),
            ]
        };
        let input = IntegrationInput {
            name: format!("Seeded integration {n}"),
            description: Some("Made by ivorey seed".into()),
            scopes,
            expires_at: None,
            ip_allowlist: Vec::new(),
        };
        let issued = integrations::create(store, now, location, &input, &Actor::cli())
            .await
            .map_err(cli_error)?;
        tokens.push(issued.token.expose_secret().to_owned());
        bar.inc(1);
    }
    bar.finish();
    Ok(tokens)
}

/// Tokens are secrets: the file is readable by its owner only.
fn write_tokens(path: &std::path::Path, tokens: &[String]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    for token in tokens {
        writeln!(file, "{token}")?;
    }
    Ok(())
}
