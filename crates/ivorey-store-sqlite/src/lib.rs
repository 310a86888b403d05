//! The embedded SQLite store: one database file, WAL mode; one writing connection and a pool
//! for longer reads, both used from blocking threads, and a pool for point lookups run on the
//! async workers (`read_now`). Several processes (the server and CLI commands) may share a file;
//! SQLite's locking keeps them consistent and every change is visible to the next query.

mod auth_epoch;
mod backend;
mod contact_search;
mod contacts;
mod db;
mod error;
mod group_commit;
mod migrate;
mod planner_stats;
mod pool;
mod row;
mod store;
mod tokens;
mod wal_index;

use async_trait::async_trait;
use ivorey_store::grant_cache::GrantCache;
use ivorey_store::{Store, StoreResult};

pub use group_commit::GroupCommitStats;
pub use migrate::MIGRATIONS;
pub use store::SqliteStore;

use crate::error::db_err;

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }

    fn grant_cache(&self) -> Option<&GrantCache> {
        Some(&self.grants)
    }
}

#[cfg(test)]
mod tests {
    use ivorey_core::contact::{Contact, ContactFields};
    use ivorey_core::{ContactId, Timestamp};
    use ivorey_store::ContactStore;
    use ivorey_store::conformance::new_location;

    use super::SqliteStore;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_under_concurrent_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.db");
        let store = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        store.migrate().await.unwrap();
        let (location, _) = new_location(store.as_ref(), "Gate").await;
        // 32 writers at once, 2,400 contacts: each commit adds ~15 pages (60 KB) to the log,
        // so a log that never started over would pass 140 MB. The writer checkpoints at 10,000
        // pages (40 MB), so a log that starts over stays under the 64 MB size limit.
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..32 {
            let (store, location) = (store.clone(), location.clone());
            writers.spawn(async move {
                for n in 0..75 {
                    let c = Contact {
                        created_by: None,
                        updated_by: None,
                        id: ContactId::generate(),
                        location_id: location.clone(),
                        fields: ContactFields {
                            first_name: Some(format!("Writer{w}")),
                            email: Some(format!("w{w}n{n}@example.com")),
                            ..ContactFields::default()
                        },
                        date_added: Timestamp(n),
                        date_updated: Timestamp(n),
                    };
                    store.insert_contact(&c).await.unwrap();
                }
            });
        }
        while let Some(done) = writers.join_next().await {
            done.unwrap();
        }
        let mut wal = path.into_os_string();
        wal.push("-wal");
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert!(size < 64 << 20, "the log grew to {size} bytes");
    }
}
