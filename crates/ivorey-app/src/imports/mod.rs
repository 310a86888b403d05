//! The contacts import worker: applies the rows of started CSV imports in batches. Each row is
//! upserted by the API's rule (`contacts::plan_upsert`: email, then phone; every field the row
//! sets overwrites), earlier rows of the same batch included, with the uploading user as the
//! changer. A batch's contact writes, outcomes and counters commit in one transaction
//! (`apply_import_batch`), so after a crash the job resumes at its first unapplied row. A job is
//! leased (owner, expiry) and the lease renewed with each batch, so of several nodes sharing
//! PostgreSQL one works a job, and a crashed node's job is taken over when its lease ends.

pub mod fields;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, CreateContactInput};
use ivorey_core::{Clock, ContactId};
use ivorey_store::{
    AppliedRow, ContactImport, ContactWrite, ImportRow, ImportStatus, RowOutcome, Store, StoreError,
};
use tokio::sync::Notify;

use crate::contacts::{Overwrite, upsert_onto};
use crate::error::{AppError, AppResult};

/// Timing and size of import batches; tests shorten them.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// Rows applied in one transaction.
    pub batch_rows: u32,
    /// How long a claimed job belongs to one node without a batch committing.
    pub lease: Duration,
    /// How often the worker looks for queued jobs when nothing wakes it.
    pub poll_interval: Duration,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            batch_rows: 500,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(10),
        }
    }
}

/// Wakes the import worker when a job is started.
#[derive(Debug, Clone, Default)]
pub struct ImportQueue {
    started: Arc<Notify>,
}

impl ImportQueue {
    /// Called after the job was queued; remembered while the worker is busy.
    pub fn wake(&self) {
        self.started.notify_one();
    }
}

/// A name for this process's worker, unique among nodes: the lease owner.
pub fn worker_name() -> String {
    format!("node-{}", ivorey_core::random::base62(16))
}

/// Runs until aborted.
pub async fn run_worker(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: ImportConfig,
    queue: ImportQueue,
) {
    let owner = worker_name();
    loop {
        let now = clock.now();
        match store
            .claim_import(&owner, now, now.plus(config.lease))
            .await
        {
            Ok(Some(mut job)) => {
                while job.status == ImportStatus::Queued {
                    match apply_next_batch(store.as_ref(), clock.as_ref(), &config, &owner, &job)
                        .await
                    {
                        Ok(next) => job = next,
                        Err(e) => {
                            // The lease lapses or is renewed by the next claim; nothing half-done.
                            tracing::warn!(import = %job.id, error = %e, "an import batch failed");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming an import failed"),
        }
        tokio::select! {
            () = queue.started.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// Plans and commits the job's next batch; the job as it stands after it.
pub async fn apply_next_batch(
    store: &dyn Store,
    clock: &dyn Clock,
    config: &ImportConfig,
    owner: &str,
    job: &ContactImport,
) -> AppResult<ContactImport> {
    let rows = store
        .import_rows(&job.location_id, &job.id, job.done_rows, config.batch_rows)
        .await?;
    let now = clock.now();
    let applied = plan_batch(store, job, rows, now).await?;
    let until = now.plus(config.lease);
    match store
        .apply_import_batch(job, owner, applied, now, until)
        .await
    {
        Ok(next) => Ok(next),
        Err(StoreError::Conflict(why)) => Err(AppError::Conflict(why.into())),
        Err(e) => Err(e.into()),
    }
}

/// The stored contacts the batch's rows may match, oldest per key as the upsert rule takes
/// them, read in two statements for the whole batch (`find_contacts_by_keys`) rather than two
/// lookups per row.
#[derive(Default)]
struct Stored {
    by_email: HashMap<String, Contact>,
    by_phone: HashMap<String, Contact>,
}

impl Stored {
    async fn load(
        store: &dyn Store,
        job: &ContactImport,
        inputs: &[Result<CreateContactInput, String>],
    ) -> AppResult<Stored> {
        let (mut emails, mut phones) = (HashSet::new(), HashSet::new());
        for input in inputs.iter().flatten() {
            emails.extend(input.email_lower());
            phones.extend(input.phone_norm());
        }
        let (emails, phones): (Vec<String>, Vec<String>) =
            (emails.into_iter().collect(), phones.into_iter().collect());
        let found = store
            .find_contacts_by_keys(&job.location_id, &emails, &phones)
            .await?;
        let mut stored = Stored::default();
        for c in found {
            if let Some(email) = c.email_lower() {
                oldest(&mut stored.by_email, email, &c);
            }
            if let Some(phone) = c.phone_norm() {
                oldest(&mut stored.by_phone, phone, &c);
            }
        }
        Ok(stored)
    }
}

/// Keeps under `key` the oldest contact by (`date_added`, id), the order of the single lookups.
fn oldest(index: &mut HashMap<String, Contact>, key: String, c: &Contact) {
    let older = |a: &Contact| (c.date_added, c.id.as_str()) < (a.date_added, a.id.as_str());
    match index.get(&key) {
        Some(kept) if !older(kept) => {}
        _ => {
            index.insert(key, c.clone());
        }
    }
}

/// The contacts of this batch's earlier rows, by id and by their match keys: an upsert must
/// see them though they are not stored yet.
#[derive(Default)]
struct Pending {
    by_id: HashMap<ContactId, Contact>,
    by_email: HashMap<String, ContactId>,
    by_phone: HashMap<String, ContactId>,
}

impl Pending {
    fn remember(&mut self, c: &Contact) {
        if let Some(email) = c.email_lower() {
            self.by_email.entry(email).or_insert_with(|| c.id.clone());
        }
        if let Some(phone) = c.phone_norm() {
            self.by_phone.entry(phone).or_insert_with(|| c.id.clone());
        }
        self.by_id.insert(c.id.clone(), c.clone());
    }

    /// The latest version of `c` if this batch changed it, and whether it still has `key`.
    fn fresh(&self, c: &Contact, key: &str, email: bool) -> Option<Contact> {
        let c = self.by_id.get(&c.id).unwrap_or(c);
        let has = if email {
            c.email_lower()
        } else {
            c.phone_norm()
        };
        (has.as_deref() == Some(key)).then(|| c.clone())
    }

    /// The match of the upsert rule over stored contacts and this batch's: email, then phone.
    fn matching(&self, stored: &Stored, input: &CreateContactInput) -> Option<Contact> {
        let keys = [(input.email_lower(), true), (input.phone_norm(), false)];
        for (key, email) in keys {
            let Some(key) = key else { continue };
            let (index, kept) = if email {
                (&self.by_email, &stored.by_email)
            } else {
                (&self.by_phone, &stored.by_phone)
            };
            if let Some(id) = index.get(&key)
                && let Some(c) = self.by_id.get(id).and_then(|c| self.fresh(c, &key, email))
            {
                return Some(c);
            }
            if let Some(c) = kept.get(&key).and_then(|c| self.fresh(c, &key, email)) {
                return Some(c);
            }
        }
        None
    }
}

async fn plan_batch(
    store: &dyn Store,
    job: &ContactImport,
    rows: Vec<ImportRow>,
    now: ivorey_core::Timestamp,
) -> AppResult<Vec<AppliedRow>> {
    let mapping = job.mapping.clone().unwrap_or_default();
    let by = ChangedBy::User(job.user_id.clone());
    let inputs: Vec<_> = rows
        .iter()
        .map(|row| fields::row_input(&job.location_id, job.header.len(), &mapping, &row.cells))
        .collect();
    let stored = Stored::load(store, job, &inputs).await?;
    let mut pending = Pending::default();
    let mut applied = Vec::with_capacity(rows.len());
    for (row, input) in rows.into_iter().zip(inputs) {
        let outcome = match input {
            Err(reason) => RowOutcome::Refused(reason),
            Ok(input) => {
                let existing = pending.matching(&stored, &input);
                match upsert_onto(
                    existing,
                    now,
                    &job.location_id,
                    input,
                    Overwrite::All,
                    by.clone(),
                ) {
                    Ok(write) => {
                        pending.remember(write.contact());
                        match write {
                            ContactWrite::Insert(c) => RowOutcome::Created(c),
                            ContactWrite::Update(c) => RowOutcome::Updated(c),
                        }
                    }
                    Err(AppError::Invalid(e)) => RowOutcome::Refused(reason(&e)),
                    Err(other) => return Err(other),
                }
            }
        };
        applied.push(AppliedRow {
            number: row.number,
            outcome,
        });
    }
    Ok(applied)
}

/// A refusal in the words of the mapping page: each problem with the field's label.
pub fn reason(e: &ivorey_core::ValidationErrors) -> String {
    e.0.iter()
        .map(|p| {
            let field = fields::STANDARD
                .iter()
                .find(|f| f.0 == p.field)
                .map_or(p.field, |f| f.1);
            if p.field == "contact" {
                "A contact needs a name, an email or a phone.".to_owned()
            } else {
                format!("{field}: {}", p.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a row would become, without looking for a match: its fields, or why it is refused
/// (the mapping page's preview).
pub fn preview(
    job: &ContactImport,
    mapping: &[String],
    cells: &[String],
) -> Result<ivorey_core::contact::ContactFields, String> {
    let input = fields::row_input(&job.location_id, job.header.len(), mapping, cells)?;
    input.into_fields().map_err(|e| reason(&e))
}
