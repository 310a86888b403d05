//! Group commit: writes that arrive while a commit is running wait, then commit together in
//! one transaction. Each runs in a savepoint of its own, so one write's error (a constraint,
//! a missing record) rolls back only that write; each caller is answered only once the
//! transaction holding its write has committed.
//!
//! Why: a SQLite commit is the expensive part of a small write (the log's frames for every
//! index page it touched, among them an FTS5 segment per index of the posting table), and one
//! writer commits at a time anyway. Under load a commit now carries every write that queued
//! behind the last one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ivorey_store::sql::{Work, run_ready};
use ivorey_store::{StoreError, StoreResult};
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::db::SqliteDb;
use crate::error::db_err;

/// At most this many writes share a commit, so one batch's latency stays bounded.
const MAX_BATCH: usize = 256;

/// A queued write: runs in the open transaction (or, given `false`, does not run at all) and
/// returns how to answer its caller once the transaction has ended (`None`: committed).
type Job = Box<dyn FnOnce(&mut Connection, bool) -> Answer + Send>;
type Answer = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// The queue of writes waiting for the writer connection.
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<Job>>,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    commits: AtomicU64,
    writes: AtomicU64,
}

/// How many commits group commit made and how many writes they carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCommitStats {
    pub commits: u64,
    pub writes: u64,
}

impl GroupCommit {
    pub(crate) fn new(writer: Arc<tokio::sync::Mutex<Connection>>) -> Arc<GroupCommit> {
        Arc::new(GroupCommit {
            queue: Mutex::new(Vec::new()),
            writer,
            commits: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        })
    }

    pub(crate) fn stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            commits: self.commits.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }

    /// Queues `work` and answers once it has committed (or failed). The write goes ahead even
    /// if the caller stops waiting (a request timeout), as a write started alone would.
    pub(crate) async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        work: Work<T>,
    ) -> StoreResult<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn, run| {
            let outcome = run.then(|| in_savepoint(conn, work));
            Box::new(move |ended: Option<&StoreError>| {
                let reply = match (outcome, ended) {
                    // Its own error: the write was undone whatever became of the others.
                    (Some(Err(e)), _) => Err(e),
                    (Some(Ok(_)) | None, Some(e)) => Err(copy(e)),
                    (Some(Ok(done)), None) => Ok(done),
                    (None, None) => Err(StoreError::Other("a queued write did not run".into())),
                };
                let _ = answer.send(reply);
            })
        });
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(job);
        // One committer task per write: whichever takes the writer first commits everything
        // queued by then; the others find their writes taken and end.
        let me = self.clone();
        tokio::spawn(async move { me.commit_queued().await });
        answered
            .await
            .map_err(|_| StoreError::Other("the write's commit task ended".into()))?
    }

    async fn commit_queued(self: Arc<Self>) {
        let mut conn = self.writer.clone().lock_owned().await;
        let jobs: Vec<Job> = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            let take = queue.len().min(MAX_BATCH);
            queue.drain(..take).collect()
        };
        if jobs.is_empty() {
            return;
        }
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let _ = tokio::task::spawn_blocking(move || commit_batch(&mut conn, jobs)).await;
    }
}

/// Runs every job in one `BEGIN IMMEDIATE` transaction and answers each once it has ended.
fn commit_batch(conn: &mut Connection, jobs: Vec<Job>) {
    let mut ended = conn.execute_batch("BEGIN IMMEDIATE").err().map(db_err);
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        // After a failed start or a lost transaction the rest are answered unrun.
        answers.push(job(conn, ended.is_none()));
        if ended.is_none() && conn.is_autocommit() {
            // The database ended the transaction itself (a full disk, an I/O error): the
            // writes before this one are gone with it.
            ended = Some(StoreError::Unavailable(
                "the write transaction was rolled back".into(),
            ));
        }
    }
    if ended.is_none() {
        ended = conn.execute_batch("COMMIT").err().map(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            db_err(e)
        });
    }
    for answer in answers {
        answer(ended.as_ref());
    }
}

/// Runs `work` inside a savepoint of the open transaction: kept when it succeeds, undone alone
/// when it fails.
fn in_savepoint<T>(conn: &mut Connection, work: Work<T>) -> StoreResult<T> {
    conn.execute_batch("SAVEPOINT write").map_err(db_err)?;
    let outcome = run_ready(work(&mut SqliteDb(conn)));
    let end = match outcome {
        Ok(_) => conn.execute_batch("RELEASE write"),
        Err(_) => conn
            .execute_batch("ROLLBACK TO write")
            .and_then(|()| conn.execute_batch("RELEASE write")),
    };
    match end {
        Ok(()) => outcome,
        Err(e) => outcome.and(Err(db_err(e))),
    }
}

/// `StoreError` is not `Clone` (it may carry driver text); every caller of a failed commit
/// gets the same kind and text.
fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict(rule) => StoreError::Conflict(rule),
        StoreError::Unavailable(text) => StoreError::Unavailable(text.clone()),
        StoreError::Other(text) => StoreError::Other(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::{ContactId, LocationId, Timestamp};
    use ivorey_store::conformance::new_location;
    use ivorey_store::{ContactStore, StoreError};

    use crate::store::SqliteStore;

    fn contact(location: &LocationId, n: i64) -> Contact {
        Contact {
            created_by: None,
            updated_by: None,
            id: ContactId::generate(),
            location_id: location.clone(),
            fields: ContactFields {
                first_name: Some(format!("Group{n}")),
                email: Some(format!("g{n}@example.com")),
                ..ContactFields::default()
            },
            date_added: Timestamp(n),
            date_updated: Timestamp(n),
        }
    }

    /// 32 writes queue behind a running write and commit as one group; the one that breaks
    /// a constraint (a contact id already taken) fails alone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_writes_error_leaves_the_others_of_its_group_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("group.db")).unwrap();
        store.migrate().await.unwrap();
        let (location, _) = new_location(&store, "Group").await;
        let taken = contact(&location, 0);
        store.insert_contact(&taken).await.unwrap();

        let held = store.writer.clone().lock_owned().await;
        let before = store.group_commit_stats();
        let mut writes = tokio::task::JoinSet::new();
        let mut expected = Vec::new();
        for n in 1..=32 {
            let mut c = contact(&location, n);
            if n == 17 {
                c.id = taken.id.clone();
            } else {
                expected.push(c.id.clone());
            }
            let store = store.clone();
            writes.spawn(async move { (n, store.insert_contact(&c).await) });
        }
        // Every write is queued (none can start while the writer is held).
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        drop(held);

        while let Some(done) = writes.join_next().await {
            let (n, outcome) = done.unwrap();
            if n == 17 {
                assert!(
                    matches!(outcome, Err(StoreError::Conflict(_))),
                    "{outcome:?}"
                );
            } else {
                outcome.unwrap();
            }
        }
        let after = store.group_commit_stats();
        assert_eq!(after.writes - before.writes, 32);
        assert_eq!(
            after.commits - before.commits,
            1,
            "the 32 writes shared one commit"
        );
        for id in &expected {
            assert!(store.get_contact(&location, id).await.unwrap().is_some());
        }
        let kept = store
            .get_contact(&location, &taken.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.fields.first_name.as_deref(), Some("Group0"));
    }
}
