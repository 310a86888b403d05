//! Calendars and appointments in PostgreSQL. A booking locks its calendar's row
//! (`SELECT ... FOR UPDATE`) before it checks for overlaps and writes, so bookings on one
//! calendar take turns and each sees the ones committed before it.

use async_trait::async_trait;
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{Appointment, AppointmentStatus, LENGTH_MAX_MS};
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::{LocationId, Timestamp, UserId};
use ivorey_store::{CALENDAR_CHANGED, CalendarStore, SLOT_TAKEN, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{get, id, opt_id, ts};

const CALENDAR_COLUMNS: &str = "id, location_id, name, description, time_zone, \
    slot_duration_minutes, slot_interval_minutes, open_hours, is_active, date_added, date_updated";
const APPOINTMENT_COLUMNS: &str = "id, location_id, calendar_id, contact_id, title, description, \
    address, status, assigned_user_id, start_time, end_time, date_added, date_updated";

fn minutes(row: &Row, column: &str) -> StoreResult<u32> {
    u32::try_from(get::<i32>(row, column)?).map_err(|_| corrupt("slot length"))
}

fn calendar_from_row(row: &Row) -> StoreResult<Calendar> {
    let hours: String = get(row, "open_hours")?;
    Ok(Calendar {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        name: get(row, "name")?,
        description: get(row, "description")?,
        time_zone: get(row, "time_zone")?,
        slot_duration_minutes: minutes(row, "slot_duration_minutes")?,
        slot_interval_minutes: minutes(row, "slot_interval_minutes")?,
        open_hours: serde_json::from_str(&hours).map_err(|_| corrupt("open hours"))?,
        is_active: get(row, "is_active")?,
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

fn appointment_from_row(row: &Row) -> StoreResult<Appointment> {
    let status: String = get(row, "status")?;
    Ok(Appointment {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        calendar_id: id(row, "calendar_id")?,
        contact_id: id(row, "contact_id")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        address: get(row, "address")?,
        status: AppointmentStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        assigned_user_id: opt_id(row, "assigned_user_id")?,
        start: ts(row, "start_time")?,
        end: ts(row, "end_time")?,
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

fn hours_json(c: &Calendar) -> StoreResult<String> {
    serde_json::to_string(&c.open_hours).map_err(|e| StoreError::Other(e.to_string()))
}

fn db_minutes(m: u32) -> i32 {
    i32::try_from(m).unwrap_or(i32::MAX)
}

impl PgStore {
    /// The booking transaction of `insert_appointment` and `update_appointment`.
    async fn book(&self, a: &Appointment, checked: Timestamp, update: bool) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let version = tx
            .query_opt(
                "SELECT date_updated FROM calendars WHERE location_id = $1 AND id = $2 FOR UPDATE",
                &[&a.location_id.as_str(), &a.calendar_id.as_str()],
            )
            .await
            .map_err(db_err)?;
        match version {
            None => return Err(StoreError::NotFound),
            Some(row) if ts(&row, "date_updated")? != checked => {
                return Err(StoreError::Conflict(CALENDAR_CHANGED));
            }
            Some(_) => {}
        }
        if a.occupies() {
            let taken: bool = tx
                .query_one(
                    "SELECT EXISTS(SELECT 1 FROM calendar_appointments \
                     WHERE calendar_id = $1 AND status <> 'cancelled' AND id <> $2 \
                       AND start_time < $4 AND end_time > $3 AND start_time > $5)",
                    &[
                        &a.calendar_id.as_str(),
                        &a.id.as_str(),
                        &a.start.millis(),
                        &a.end.millis(),
                        &(a.start.millis() - LENGTH_MAX_MS),
                    ],
                )
                .await
                .map_err(db_err)?
                .get(0);
            if taken {
                return Err(StoreError::Conflict(SLOT_TAKEN));
            }
        }
        let user = a.assigned_user_id.as_ref().map(UserId::as_str);
        if update {
            let changed = tx
                .execute(
                    "UPDATE calendar_appointments SET calendar_id = $3, title = $4, \
                     description = $5, address = $6, status = $7, assigned_user_id = $8, \
                     start_time = $9, end_time = $10, date_updated = $11 \
                     WHERE id = $1 AND location_id = $2",
                    &[
                        &a.id.as_str(),
                        &a.location_id.as_str(),
                        &a.calendar_id.as_str(),
                        &a.title,
                        &a.description,
                        &a.address,
                        &a.status.as_str(),
                        &user,
                        &a.start.millis(),
                        &a.end.millis(),
                        &a.date_updated.millis(),
                    ],
                )
                .await
                .map_err(db_err)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
        } else {
            let sql = format!(
                "INSERT INTO calendar_appointments ({APPOINTMENT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            );
            tx.execute(
                &sql,
                &[
                    &a.id.as_str(),
                    &a.location_id.as_str(),
                    &a.calendar_id.as_str(),
                    &a.contact_id.as_str(),
                    &a.title,
                    &a.description,
                    &a.address,
                    &a.status.as_str(),
                    &user,
                    &a.start.millis(),
                    &a.end.millis(),
                    &a.date_added.millis(),
                    &a.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }
}

#[async_trait]
impl CalendarStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn insert_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let client = self.client().await?;
        let sql = format!(
            "INSERT INTO calendars ({CALENDAR_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        client
            .execute(
                &sql,
                &[
                    &c.id.as_str(),
                    &c.location_id.as_str(),
                    &c.name,
                    &c.description,
                    &c.time_zone,
                    &db_minutes(c.slot_duration_minutes),
                    &db_minutes(c.slot_interval_minutes),
                    &hours_json(c)?,
                    &c.is_active,
                    &c.date_added.millis(),
                    &c.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn list_calendars(&self, location: &LocationId) -> StoreResult<Vec<Calendar>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {CALENDAR_COLUMNS} FROM calendars WHERE location_id = $1 \
             ORDER BY date_added, id"
        );
        let rows = client
            .query(&sql, &[&location.as_str()])
            .await
            .map_err(db_err)?;
        rows.iter().map(calendar_from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn get_calendar(
        &self,
        location: &LocationId,
        id: &CalendarId,
    ) -> StoreResult<Option<Calendar>> {
        let client = self.client().await?;
        let sql =
            format!("SELECT {CALENDAR_COLUMNS} FROM calendars WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(calendar_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE calendars SET name = $3, description = $4, time_zone = $5, \
                 slot_duration_minutes = $6, slot_interval_minutes = $7, open_hours = $8, \
                 is_active = $9, date_updated = $10 WHERE id = $1 AND location_id = $2",
                &[
                    &c.id.as_str(),
                    &c.location_id.as_str(),
                    &c.name,
                    &c.description,
                    &c.time_zone,
                    &db_minutes(c.slot_duration_minutes),
                    &db_minutes(c.slot_interval_minutes),
                    &hours_json(c)?,
                    &c.is_active,
                    &c.date_updated.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn delete_calendar(&self, location: &LocationId, id: &CalendarId) -> StoreResult<()> {
        let client = self.client().await?;
        let removed = client
            .execute(
                "DELETE FROM calendars WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if removed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn insert_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        self.book(a, checked, false).await
    }

    #[tracing::instrument(skip_all)]
    async fn update_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        self.book(a, checked, true).await
    }

    #[tracing::instrument(skip_all)]
    async fn get_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<Option<Appointment>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM calendar_appointments \
             WHERE id = $1 AND location_id = $2"
        );
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(appointment_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn delete_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let removed = client
            .execute(
                "DELETE FROM calendar_appointments WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if removed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn list_appointments(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Appointment>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM calendar_appointments \
             WHERE location_id = $1 AND calendar_id = $2 \
               AND start_time < $4 AND end_time > $3 AND start_time > $5 \
             ORDER BY start_time, id"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &location.as_str(),
                    &calendar.as_str(),
                    &from.millis(),
                    &to.millis(),
                    &(from.millis() - LENGTH_MAX_MS),
                ],
            )
            .await
            .map_err(db_err)?;
        rows.iter().map(appointment_from_row).collect()
    }
}
