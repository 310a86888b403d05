//! Locations and their business profiles. A new location and its first admin are written in
//! one transaction.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::audit::AuditEvent;
use ivorey_core::location::{BusinessProfile, Location};
use ivorey_core::user::Role;

use super::audit::insert_audit;
use super::users::{insert_user, upsert_membership};
use super::{Row, Sql, SqlBackend, id, ts};
use crate::{AdminAccount, LocationStore, StoreError, StoreResult, params, run};

static INSERT: Sql = Sql::new(
    "INSERT INTO locations (id, name, email, phone, address, city, state, postal_code, country,
         website, timezone, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
);
static GET: Sql = Sql::new(
    "SELECT id, name, email, phone, address, city, state, postal_code, country, website,
         timezone, created_at
     FROM locations WHERE id = $1",
);
static UPDATE: Sql = Sql::new(
    "UPDATE locations SET name = $2, email = $3, phone = $4, address = $5, city = $6,
         state = $7, postal_code = $8, country = $9, website = $10, timezone = $11
     WHERE id = $1
     RETURNING id, name, email, phone, address, city, state, postal_code, country, website,
         timezone, created_at",
);
static COUNT: Sql = Sql::new("SELECT count(*) FROM locations");

fn location(row: &dyn Row) -> StoreResult<Location> {
    Ok(Location {
        id: id(row, 0)?,
        profile: BusinessProfile {
            name: row.string(1)?,
            email: row.opt_string(2)?,
            phone: row.opt_string(3)?,
            address: row.opt_string(4)?,
            city: row.opt_string(5)?,
            state: row.opt_string(6)?,
            postal_code: row.opt_string(7)?,
            country: row.opt_string(8)?,
            website: row.opt_string(9)?,
            timezone: row.opt_string(10)?,
        },
        created_at: ts(row, 11)?,
    })
}

#[async_trait]
impl<B: SqlBackend> LocationStore for B {
    async fn create_location(&self, location: &Location, admin: &AdminAccount) -> StoreResult<()> {
        run!(self.write, [location, admin], |db| {
            let p = &location.profile;
            let values = params![
                &location.id,
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
                location.created_at
            ];
            match db.execute(&INSERT, values).await {
                Err(StoreError::Conflict(_)) => {
                    return Err(StoreError::Conflict("location already exists"));
                }
                other => other?,
            };
            let admin_id = match &admin {
                AdminAccount::New(user) => {
                    insert_user(db, user).await?;
                    &user.id
                }
                AdminAccount::Existing(id) => id,
            };
            upsert_membership(db, &location.id, admin_id, Role::Admin).await
        })
    }

    async fn get_location(&self, location_id: &LocationId) -> StoreResult<Option<Location>> {
        run!(self.lookup, [location_id], |db| {
            db.opt(&GET, params![&location_id], location).await
        })
    }

    async fn update_business_profile(
        &self,
        location_id: &LocationId,
        profile: &BusinessProfile,
        audit: &AuditEvent,
    ) -> StoreResult<Location> {
        run!(self.write, [location_id, profile, audit], |db| {
            let p = &profile;
            let values = params![
                &location_id,
                &p.name,
                &p.email,
                &p.phone,
                &p.address,
                &p.city,
                &p.state,
                &p.postal_code,
                &p.country,
                &p.website,
                &p.timezone
            ];
            let updated = db.opt(&UPDATE, values, location).await?;
            let updated = updated.ok_or(StoreError::NotFound)?;
            insert_audit(db, &audit).await?;
            Ok(updated)
        })
    }

    async fn count_locations(&self) -> StoreResult<u64> {
        run!(self.read, [], |db| {
            let n = db.one(&COUNT, &[], |r| r.int(0)).await?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}
