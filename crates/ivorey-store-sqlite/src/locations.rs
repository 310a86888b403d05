//! Locations and business profiles in SQLite.

use async_trait::async_trait;
use ivorey_core::audit::AuditEvent;
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::user::Role;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{AdminAccount, LocationStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::users::insert_user;
use crate::{SqliteStore, db_err};

const LOCATION_COLUMNS: &str = "id, name, email, phone, address, city, state, postal_code, country, website, timezone, created_at";

pub(crate) fn location_from_row(row: &Row<'_>) -> rusqlite::Result<Location> {
    let id: String = row.get(0)?;
    Ok(Location {
        id: LocationId::parse(&id).map_err(|e| conversion_err(0, e))?,
        profile: BusinessProfile {
            name: row.get(1)?,
            email: row.get(2)?,
            phone: row.get(3)?,
            address: row.get(4)?,
            city: row.get(5)?,
            state: row.get(6)?,
            postal_code: row.get(7)?,
            country: row.get(8)?,
            website: row.get(9)?,
            timezone: row.get(10)?,
        },
        created_at: Timestamp(row.get(11)?),
    })
}

/// A stored value that does not parse (a corrupted row) is a conversion error, not a panic.
pub(crate) fn conversion_err(
    column: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

pub(crate) fn insert_audit(tx: &rusqlite::Transaction<'_>, e: &AuditEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_events (location_id, integration_id, integration_name, actor,
            actor_user_id, action, detail, ip, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.location_id.as_str(),
        e.integration_id.as_ref().map(|i| i.as_str()),
        e.integration_name,
        e.actor,
        e.actor_user_id.as_ref().map(|u| u.as_str()),
        e.action.as_str(),
        e.detail,
        e.ip,
        e.at.0,
    ])?;
    Ok(())
}

#[async_trait]
impl LocationStore for SqliteStore {
    async fn create_location(&self, location: &Location, admin: &AdminAccount) -> StoreResult<()> {
        let (location, admin) = (location.clone(), admin.clone());
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
            let admin_id = match &admin {
                AdminAccount::New(user) => {
                    insert_user(&tx, user)?;
                    user.id.clone()
                }
                AdminAccount::Existing(id) => id.clone(),
            };
            let p = &location.profile;
            tx.execute(
                &format!("INSERT INTO locations ({LOCATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    location.id.as_str(), p.name, p.email, p.phone, p.address, p.city, p.state,
                    p.postal_code, p.country, p.website, p.timezone, location.created_at.0
                ],
            )
            .map_err(db_err)?;
            tx.execute(
                "INSERT INTO memberships (location_id, user_id, role) VALUES (?1, ?2, ?3)",
                params![location.id.as_str(), admin_id.as_str(), Role::Admin.as_str()],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::NotFound,
                _ => db_err(e),
            })?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn get_location(&self, id: &LocationId) -> StoreResult<Option<Location>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {LOCATION_COLUMNS} FROM locations WHERE id = ?1"
            ))
            .map_err(db_err)?
            .query_row([id.as_str()], location_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn update_business_profile(
        &self,
        id: &LocationId,
        profile: &BusinessProfile,
        audit: &AuditEvent,
    ) -> StoreResult<Location> {
        let (id, p, audit) = (id.clone(), profile.clone(), audit.clone());
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
            let changed = tx
                .execute(
                    "UPDATE locations SET name = ?2, email = ?3, phone = ?4, address = ?5, city = ?6,
                        state = ?7, postal_code = ?8, country = ?9, website = ?10, timezone = ?11
                     WHERE id = ?1",
                    params![
                        id.as_str(), p.name, p.email, p.phone, p.address, p.city, p.state,
                        p.postal_code, p.country, p.website, p.timezone
                    ],
                )
                .map_err(db_err)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            insert_audit(&tx, &audit).map_err(db_err)?;
            let location = tx
                .query_row(&format!("SELECT {LOCATION_COLUMNS} FROM locations WHERE id = ?1"), [id.as_str()], location_from_row)
                .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(location)
        })
        .await
    }

    async fn count_locations(&self) -> StoreResult<u64> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM locations", [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(db_err)
        })
        .await
    }
}
