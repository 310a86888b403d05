//! Calendars and appointments in SQLite. A booking runs in a `BEGIN IMMEDIATE` transaction:
//! it holds the database's write lock from its first statement, so the overlap check and the
//! write cannot interleave with another booking's.

use async_trait::async_trait;
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{Appointment, AppointmentStatus, LENGTH_MAX_MS};
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::{ContactId, LocationId, Timestamp, UserId};
use ivorey_store::{CALENDAR_CHANGED, CalendarStore, SLOT_TAKEN, StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

const CALENDAR_COLUMNS: &str = "id, location_id, name, description, time_zone, \
    slot_duration_minutes, slot_interval_minutes, open_hours, is_active, date_added, date_updated";
const APPOINTMENT_COLUMNS: &str = "id, location_id, calendar_id, contact_id, title, description, \
    address, status, assigned_user_id, start_time, end_time, date_added, date_updated";

fn parsed<T, E: std::error::Error + Send + Sync + 'static>(
    column: usize,
    r: Result<T, E>,
) -> rusqlite::Result<T> {
    r.map_err(|e| conversion_err(column, e))
}

fn calendar_from_row(row: &Row<'_>) -> rusqlite::Result<Calendar> {
    let hours: String = row.get(7)?;
    Ok(Calendar {
        id: parsed(0, CalendarId::parse(&row.get::<_, String>(0)?))?,
        location_id: parsed(1, LocationId::parse(&row.get::<_, String>(1)?))?,
        name: row.get(2)?,
        description: row.get(3)?,
        time_zone: row.get(4)?,
        slot_duration_minutes: row.get(5)?,
        slot_interval_minutes: row.get(6)?,
        open_hours: parsed(7, serde_json::from_str(&hours))?,
        is_active: row.get(8)?,
        date_added: Timestamp(row.get(9)?),
        date_updated: Timestamp(row.get(10)?),
    })
}

fn appointment_from_row(row: &Row<'_>) -> rusqlite::Result<Appointment> {
    let status: String = row.get(7)?;
    let user: Option<String> = row.get(8)?;
    Ok(Appointment {
        id: parsed(0, AppointmentId::parse(&row.get::<_, String>(0)?))?,
        location_id: parsed(1, LocationId::parse(&row.get::<_, String>(1)?))?,
        calendar_id: parsed(2, CalendarId::parse(&row.get::<_, String>(2)?))?,
        contact_id: parsed(3, ContactId::parse(&row.get::<_, String>(3)?))?,
        title: row.get(4)?,
        description: row.get(5)?,
        address: row.get(6)?,
        status: parsed(
            7,
            AppointmentStatus::parse(&status)
                .ok_or_else(|| std::io::Error::other("unknown status")),
        )?,
        assigned_user_id: user.map(|u| parsed(8, UserId::parse(&u))).transpose()?,
        start: Timestamp(row.get(9)?),
        end: Timestamp(row.get(10)?),
        date_added: Timestamp(row.get(11)?),
        date_updated: Timestamp(row.get(12)?),
    })
}

/// A refused reference (calendar or contact not in the location) is `NotFound`.
fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("record already exists")
    } else {
        db_err(e)
    }
}

fn hours_json(c: &Calendar) -> StoreResult<String> {
    serde_json::to_string(&c.open_hours).map_err(|e| StoreError::Other(e.to_string()))
}

/// The booking transaction of `insert_appointment` and `update_appointment`.
fn book(
    conn: &mut Connection,
    a: &Appointment,
    checked: Timestamp,
    update: bool,
) -> StoreResult<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let version: Option<i64> = tx
        .query_row(
            "SELECT date_updated FROM calendars WHERE location_id = ?1 AND id = ?2",
            params![a.location_id.as_str(), a.calendar_id.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    match version {
        None => return Err(StoreError::NotFound),
        Some(v) if v != checked.0 => return Err(StoreError::Conflict(CALENDAR_CHANGED)),
        Some(_) => {}
    }
    if a.occupies() {
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM calendar_appointments
                 WHERE calendar_id = ?1 AND status <> 'cancelled' AND id <> ?2
                   AND start_time < ?4 AND end_time > ?3 AND start_time > ?5)",
                params![
                    a.calendar_id.as_str(),
                    a.id.as_str(),
                    a.start.0,
                    a.end.0,
                    a.start.0 - LENGTH_MAX_MS
                ],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        if taken {
            return Err(StoreError::Conflict(SLOT_TAKEN));
        }
    }
    let user = a.assigned_user_id.as_ref().map(UserId::as_str);
    if update {
        let changed = tx
            .execute(
                "UPDATE calendar_appointments SET calendar_id = ?3, title = ?4, description = ?5,
                 address = ?6, status = ?7, assigned_user_id = ?8, start_time = ?9,
                 end_time = ?10, date_updated = ?11
                 WHERE id = ?1 AND location_id = ?2",
                params![
                    a.id.as_str(),
                    a.location_id.as_str(),
                    a.calendar_id.as_str(),
                    a.title,
                    a.description,
                    a.address,
                    a.status.as_str(),
                    user,
                    a.start.0,
                    a.end.0,
                    a.date_updated.0
                ],
            )
            .map_err(write_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
    } else {
        tx.execute(
            &format!(
                "INSERT INTO calendar_appointments ({APPOINTMENT_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ),
            params![
                a.id.as_str(),
                a.location_id.as_str(),
                a.calendar_id.as_str(),
                a.contact_id.as_str(),
                a.title,
                a.description,
                a.address,
                a.status.as_str(),
                user,
                a.start.0,
                a.end.0,
                a.date_added.0,
                a.date_updated.0
            ],
        )
        .map_err(write_err)?;
    }
    tx.commit().map_err(db_err)
}

#[async_trait]
impl CalendarStore for SqliteStore {
    async fn insert_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let (c, hours) = (c.clone(), hours_json(c)?);
        self.call(move |conn| {
            conn.execute(
                &format!(
                    "INSERT INTO calendars ({CALENDAR_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ),
                params![
                    c.id.as_str(),
                    c.location_id.as_str(),
                    c.name,
                    c.description,
                    c.time_zone,
                    c.slot_duration_minutes,
                    c.slot_interval_minutes,
                    hours,
                    c.is_active,
                    c.date_added.0,
                    c.date_updated.0
                ],
            )
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn list_calendars(&self, location: &LocationId) -> StoreResult<Vec<Calendar>> {
        let location = location.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {CALENDAR_COLUMNS} FROM calendars WHERE location_id = ?1
                     ORDER BY date_added, id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map([location.as_str()], calendar_from_row)
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn get_calendar(
        &self,
        location: &LocationId,
        id: &CalendarId,
    ) -> StoreResult<Option<Calendar>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {CALENDAR_COLUMNS} FROM calendars WHERE id = ?1 AND location_id = ?2"
            ))
            .map_err(db_err)?
            .query_row(params![id.as_str(), location.as_str()], calendar_from_row)
            .optional()
            .map_err(db_err)
        })
    }

    async fn update_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let (c, hours) = (c.clone(), hours_json(c)?);
        self.call(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE calendars SET name = ?3, description = ?4, time_zone = ?5,
                     slot_duration_minutes = ?6, slot_interval_minutes = ?7, open_hours = ?8,
                     is_active = ?9, date_updated = ?10
                     WHERE id = ?1 AND location_id = ?2",
                    params![
                        c.id.as_str(),
                        c.location_id.as_str(),
                        c.name,
                        c.description,
                        c.time_zone,
                        c.slot_duration_minutes,
                        c.slot_interval_minutes,
                        hours,
                        c.is_active,
                        c.date_updated.0
                    ],
                )
                .map_err(db_err)?;
            if changed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn delete_calendar(&self, location: &LocationId, id: &CalendarId) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM calendars WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn insert_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        let a = a.clone();
        self.call(move |conn| book(conn, &a, checked, false)).await
    }

    async fn update_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        let a = a.clone();
        self.call(move |conn| book(conn, &a, checked, true)).await
    }

    async fn get_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<Option<Appointment>> {
        self.read_now(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM calendar_appointments
                 WHERE id = ?1 AND location_id = ?2"
            ))
            .map_err(db_err)?
            .query_row(
                params![id.as_str(), location.as_str()],
                appointment_from_row,
            )
            .optional()
            .map_err(db_err)
        })
    }

    async fn delete_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM calendar_appointments WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn list_appointments(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Appointment>> {
        let (location, calendar) = (location.clone(), calendar.clone());
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {APPOINTMENT_COLUMNS} FROM calendar_appointments
                     WHERE location_id = ?1 AND calendar_id = ?2
                       AND start_time < ?4 AND end_time > ?3 AND start_time > ?5
                     ORDER BY start_time, id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        calendar.as_str(),
                        from.0,
                        to.0,
                        from.0 - LENGTH_MAX_MS
                    ],
                    appointment_from_row,
                )
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }
}
