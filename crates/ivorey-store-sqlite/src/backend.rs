//! `SqlBackend` for `SqliteStore`: reads on the pools, writes through group commit.

use std::future::ready;

use ivorey_core::TokenHash;
use ivorey_core::access::TokenGrant;
use ivorey_core::contact::Contact;
use ivorey_store::ContactWrite;
use ivorey_store::contact_search::SearchPlan;
use ivorey_store::grant_cache::GrantCache;
use ivorey_store::sql::{Db, DbFuture, SqlBackend, Work, run_ready};

use crate::contact_search::run_search;
use crate::db::SqliteDb;
use crate::store::SqliteStore;

impl SqlBackend for SqliteStore {
    fn read<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(SqliteStore::read(self, move |conn| {
            run_ready(work(&mut SqliteDb(conn)))
        }))
    }

    fn lookup<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(ready(
            self.read_now(move |conn| run_ready(work(&mut SqliteDb(conn)))),
        ))
    }

    fn write<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(self.group.write(work))
    }

    fn write_contact<'c>(db: &'c mut dyn Db, contact: &'c Contact, new: bool) -> DbFuture<'c, ()> {
        crate::contacts::write_contact(db, contact, new)
    }

    fn write_contacts<'c>(db: &'c mut dyn Db, writes: &'c [ContactWrite]) -> DbFuture<'c, ()> {
        crate::contacts::write_contacts(db, writes)
    }

    fn find_contacts(&self, plan: SearchPlan) -> DbFuture<'_, (Vec<Contact>, u64)> {
        Box::pin(SqliteStore::read(self, move |conn| run_search(conn, &plan)))
    }

    fn token_grant<'a>(&'a self, hash: &'a TokenHash) -> DbFuture<'a, Option<TokenGrant>> {
        Box::pin(crate::tokens::cached_grant(self, hash))
    }

    fn grants(&self) -> &GrantCache {
        &self.grants
    }
}
