//! How a unit of store work reaches a connection: the one thing each backend implements for
//! the shared store code to run on it.

use std::task::{Context, Poll, Waker};

use ivorey_core::TokenHash;
use ivorey_core::access::TokenGrant;
use ivorey_core::contact::Contact;

use super::db::{Db, DbFuture};
use crate::StoreResult;
use crate::contact_search::SearchPlan;
use crate::grant_cache::GrantCache;
use crate::{ContactWrite, StoreError};

/// A unit of work over a connection. It owns what it needs (`move`), because SQLite runs it on
/// a blocking thread.
pub type Work<T> = Box<dyn for<'c> FnOnce(&'c mut dyn Db) -> DbFuture<'c, T> + Send>;

/// Makes a `Work` of a closure: `work(move |db| Box::pin(async move { ... }))`.
pub fn work<T, F>(f: F) -> Work<T>
where
    F: for<'c> FnOnce(&'c mut dyn Db) -> DbFuture<'c, T> + Send + 'static,
{
    Box::new(f)
}

/// A database the shared store code runs on. Every store trait whose statements are the same
/// on both backends is implemented once for every `SqlBackend` (`sql/<area>.rs`).
pub trait SqlBackend: Send + Sync + 'static {
    /// Runs `work`, which only reads, on a connection of its own (one snapshot on SQLite; on
    /// PostgreSQL each statement sees the latest commits).
    fn read<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T>;

    /// Runs `work`, a few indexed point lookups, where it is cheapest (SQLite: in place on the
    /// async worker; PostgreSQL: as `read`).
    fn lookup<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T>;

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// Writers take turns (SQLite) or lock the rows they change (PostgreSQL, `FOR UPDATE`).
    fn write<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T>;

    /// Writes the contact's row (inserted when `new`, else rewritten in place: `NotFound` when it
    /// is not in its location) and replaces its index rows (its tags, its words and its row of
    /// the posting index) with those of its current fields, in the work's transaction. Every
    /// write of a contact goes through it.
    fn write_contact<'c>(db: &'c mut dyn Db, contact: &'c Contact, new: bool) -> DbFuture<'c, ()>;

    /// Writes contacts in order (inserted or rewritten), with their index rows, as
    /// `write_contact` does each, in the work's transaction: a batch (an import's, the seed's),
    /// which a backend may write with fewer statements.
    fn write_contacts<'c>(db: &'c mut dyn Db, writes: &'c [ContactWrite]) -> DbFuture<'c, ()> {
        Box::pin(async move {
            for w in writes {
                let new = matches!(w, ContactWrite::Insert(_));
                Self::write_contact(db, w.contact(), new).await?;
            }
            Ok(())
        })
    }

    /// The contacts `plan` matches, a page of them and the (capped) total.
    fn find_contacts(&self, plan: SearchPlan) -> DbFuture<'_, (Vec<Contact>, u64)>;

    /// The hot path: what a token hash grants, through the node's grant cache (`grants`), whose
    /// freshness check is the backend's (SQLite's `auth_epoch`, PostgreSQL's listener).
    fn token_grant<'a>(&'a self, hash: &'a TokenHash) -> DbFuture<'a, Option<TokenGrant>>;

    /// The node's cache of token grants, which every integration write evicts from after it
    /// has committed.
    fn grants(&self) -> &GrantCache;

    /// Rate counters this backend can share between server nodes, if it has them.
    fn shared_rate_counter(&self) -> Option<std::sync::Arc<dyn crate::RateCounter>> {
        None
    }
}

/// Runs work whose every `Db` future is ready at once (SQLite's) to completion in one poll.
/// Work that awaited anything else would be a bug in the store, reported as an error.
pub fn run_ready<T>(future: DbFuture<'_, T>) -> StoreResult<T> {
    let mut future = future;
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Other(
            "store work waited on something other than its connection".into(),
        )),
    }
}
