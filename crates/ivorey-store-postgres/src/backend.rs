//! `SqlBackend` for `PgStore`: each unit of work on a pooled connection, writes in a
//! transaction.

use std::sync::Arc;

use ivorey_core::TokenHash;
use ivorey_core::access::TokenGrant;
use ivorey_core::contact::Contact;
use ivorey_store::contact_search::SearchPlan;
use ivorey_store::grant_cache::GrantCache;
use ivorey_store::sql::{Db, DbFuture, SqlBackend, Work};
use ivorey_store::{ContactWrite, RateCounter};

use crate::contact_search::run_search;
use crate::db::PgDb;
use crate::error::db_err;
use crate::rate_limits::PgRateCounter;
use crate::store::PgStore;

impl SqlBackend for PgStore {
    fn read<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(async move {
            let client = self.client().await?;
            work(&mut PgDb(&client)).await
        })
    }

    fn lookup<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        self.read(work)
    }

    fn write<T: Send + 'static>(&self, work: Work<T>) -> DbFuture<'_, T> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db_err)?;
            let out = work(&mut PgDb(&tx)).await?;
            tx.commit().await.map_err(db_err)?;
            Ok(out)
        })
    }

    fn write_contact<'c>(db: &'c mut dyn Db, contact: &'c Contact, new: bool) -> DbFuture<'c, ()> {
        crate::contacts::write_contact(db, contact, new)
    }

    fn write_contacts<'c>(db: &'c mut dyn Db, writes: &'c [ContactWrite]) -> DbFuture<'c, ()> {
        crate::contacts::write_contacts(db, writes)
    }

    fn find_contacts(&self, plan: SearchPlan) -> DbFuture<'_, (Vec<Contact>, u64)> {
        Box::pin(async move { run_search(self, &plan).await })
    }

    fn token_grant<'a>(&'a self, hash: &'a TokenHash) -> DbFuture<'a, Option<TokenGrant>> {
        Box::pin(crate::tokens::cached_grant(self, hash))
    }

    fn grants(&self) -> &GrantCache {
        &self.grants
    }

    fn shared_rate_counter(&self) -> Option<Arc<dyn RateCounter>> {
        Some(Arc::new(PgRateCounter::new(self.clone())))
    }
}
