//! Locations and their business profiles.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::audit::AuditEvent;
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::user::Role;
use ivorey_store::{AdminAccount, LocationStore, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::error::db_err;
use crate::row::{from_db_count, get, id, ts};
use crate::{PgStore, audit, users};

const COLUMNS: &str = "id, name, email, phone, address, city, state, postal_code, country, \
                       website, timezone, created_at";

#[async_trait]
impl LocationStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn create_location(&self, location: &Location, admin: &AdminAccount) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let p = &location.profile;
        tx.execute(
            "INSERT INTO locations (id, name, email, phone, address, city, state, postal_code, \
             country, website, timezone, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &location.id.as_str(),
                &p.name,
                &p.email,
                &p.phone,
                &p.address,
                &p.city,
                &p.state,
                &p.postal_code,
                &p.country,
                &p.website,
                &p.timezone,
                &location.created_at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
        let admin_id = match admin {
            AdminAccount::New(user) => {
                users::insert_user(&tx, user).await?;
                &user.id
            }
            AdminAccount::Existing(id) => id,
        };
        // An unknown existing user fails the membership's foreign key: `NotFound`.
        users::upsert_membership(&tx, &location.id, admin_id, Role::Admin).await?;
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(skip_all)]
    async fn get_location(&self, id: &LocationId) -> StoreResult<Option<Location>> {
        let client = self.client().await?;
        let sql = format!("SELECT {COLUMNS} FROM locations WHERE id = $1");
        let row = client
            .query_opt(&sql, &[&id.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_business_profile(
        &self,
        id: &LocationId,
        profile: &BusinessProfile,
        audit: &AuditEvent,
    ) -> StoreResult<Location> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let p = profile;
        let sql = format!(
            "UPDATE locations SET name = $2, email = $3, phone = $4, address = $5, city = $6, \
             state = $7, postal_code = $8, country = $9, website = $10, timezone = $11 \
             WHERE id = $1 RETURNING {COLUMNS}"
        );
        let row = tx
            .query_opt(
                &sql,
                &[
                    &id.as_str(),
                    &p.name,
                    &p.email,
                    &p.phone,
                    &p.address,
                    &p.city,
                    &p.state,
                    &p.postal_code,
                    &p.country,
                    &p.website,
                    &p.timezone,
                ],
            )
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
        let location = from_row(&row)?;
        audit::insert(&tx, audit).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(location)
    }

    #[tracing::instrument(skip_all)]
    async fn count_locations(&self) -> StoreResult<u64> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT count(*) FROM locations", &[])
            .await
            .map_err(db_err)?;
        Ok(from_db_count(row.try_get(0).map_err(db_err)?))
    }
}

fn from_row(row: &Row) -> StoreResult<Location> {
    Ok(Location {
        id: id(row, "id")?,
        profile: BusinessProfile {
            name: get(row, "name")?,
            email: get(row, "email")?,
            phone: get(row, "phone")?,
            address: get(row, "address")?,
            city: get(row, "city")?,
            state: get(row, "state")?,
            postal_code: get(row, "postal_code")?,
            country: get(row, "country")?,
            website: get(row, "website")?,
            timezone: get(row, "timezone")?,
        },
        created_at: ts(row, "created_at")?,
    })
}
