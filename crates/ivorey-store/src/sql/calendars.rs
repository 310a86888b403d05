//! Calendars and appointments. The composite foreign keys of migration 6 keep an appointment's
//! calendar and contact in its location, so a refused reference is `NotFound`.
//!
//! A booking is one write: it reads its calendar's `date_updated`, checks for an overlapping
//! appointment and writes. On PostgreSQL it first locks the calendar's row (`FOR UPDATE`), so
//! bookings on one calendar take turns and each sees the ones committed before it; on SQLite
//! the write already holds the database's write lock from its first statement (`BEGIN
//! IMMEDIATE`), so the check and the write cannot interleave with another booking's.

use async_trait::async_trait;
use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{Appointment, AppointmentStatus, LENGTH_MAX_MS};
use ivorey_core::contact::ContactFields;
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::{LocationId, Timestamp};

use super::{Db, Dialect, Row, Sql, SqlBackend, corrupt, id, opt_id, ts};
use crate::{
    AgendaItem, CALENDAR_CHANGED, CalendarStore, SLOT_TAKEN, StoreError, StoreResult, params, run,
};

macro_rules! calendar_columns {
    () => {
        "id, location_id, name, description, time_zone, slot_duration_minutes, \
         slot_interval_minutes, open_hours, is_active, date_added, date_updated, \
         pre_buffer_minutes, slot_buffer_minutes, min_notice_minutes"
    };
}
macro_rules! appointment_columns {
    () => {
        "id, location_id, calendar_id, contact_id, title, description, address, status, \
         assigned_user_id, start_time, end_time, date_added, date_updated"
    };
}

static INSERT_CALENDAR: Sql = Sql::new(concat!(
    "INSERT INTO calendars (",
    calendar_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
));
static LIST_CALENDARS: Sql = Sql::new(concat!(
    "SELECT ",
    calendar_columns!(),
    " FROM calendars WHERE location_id = $1 ORDER BY date_added, id"
));
static GET_CALENDAR: Sql = Sql::new(concat!(
    "SELECT ",
    calendar_columns!(),
    " FROM calendars WHERE id = $1 AND location_id = $2"
));
static UPDATE_CALENDAR: Sql = Sql::new(
    "UPDATE calendars SET name = $3, description = $4, time_zone = $5,
     slot_duration_minutes = $6, slot_interval_minutes = $7, open_hours = $8,
     is_active = $9, date_updated = $10, pre_buffer_minutes = $11,
     slot_buffer_minutes = $12, min_notice_minutes = $13
     WHERE id = $1 AND location_id = $2",
);
static DELETE_CALENDAR: Sql = Sql::new("DELETE FROM calendars WHERE id = $1 AND location_id = $2");

/// The calendar's version a booking was checked against (SQLite: the write lock is held).
/// Also the time its buffers keep between two appointments.
static CALENDAR_VERSION: Sql = Sql::new(
    "SELECT date_updated, pre_buffer_minutes + slot_buffer_minutes FROM calendars
     WHERE location_id = $1 AND id = $2",
);
/// The same, locking the calendar's row until the booking commits (PostgreSQL).
static CALENDAR_VERSION_LOCKED: Sql = Sql::new(
    "SELECT date_updated, pre_buffer_minutes + slot_buffer_minutes FROM calendars
     WHERE location_id = $1 AND id = $2 FOR UPDATE",
);
/// Whether a non-cancelled appointment other than `$2` overlaps `[$3, $4)`; `$5` is the
/// earliest start that can (appointments are at most `LENGTH_MAX_MS` long).
static SLOT_TAKEN_BY: Sql = Sql::new(
    "SELECT EXISTS(SELECT 1 FROM calendar_appointments
     WHERE calendar_id = $1 AND status <> 'cancelled' AND id <> $2
       AND start_time < $4 AND end_time > $3 AND start_time > $5)",
);
static INSERT_APPOINTMENT: Sql = Sql::new(concat!(
    "INSERT INTO calendar_appointments (",
    appointment_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
));
static UPDATE_APPOINTMENT: Sql = Sql::new(
    "UPDATE calendar_appointments SET calendar_id = $3, title = $4, description = $5,
     address = $6, status = $7, assigned_user_id = $8, start_time = $9,
     end_time = $10, date_updated = $11
     WHERE id = $1 AND location_id = $2",
);
static GET_APPOINTMENT: Sql = Sql::new(concat!(
    "SELECT ",
    appointment_columns!(),
    " FROM calendar_appointments WHERE id = $1 AND location_id = $2"
));
static DELETE_APPOINTMENT: Sql =
    Sql::new("DELETE FROM calendar_appointments WHERE id = $1 AND location_id = $2");
static LIST_APPOINTMENTS: Sql = Sql::new(concat!(
    "SELECT ",
    appointment_columns!(),
    " FROM calendar_appointments
     WHERE location_id = $1 AND calendar_id = $2
       AND start_time < $4 AND end_time > $3 AND start_time > $5
     ORDER BY start_time, id"
));
// The same window as `LIST_APPOINTMENTS`, each with its contact's data (column 13).
static AGENDA: Sql = Sql::new(concat!(
    "SELECT a.*, (SELECT c.data FROM contacts c
                  WHERE c.location_id = a.location_id AND c.id = a.contact_id)
     FROM (SELECT ",
    appointment_columns!(),
    " FROM calendar_appointments
           WHERE location_id = $1 AND calendar_id = $2
             AND start_time < $4 AND end_time > $3 AND start_time > $5
           ORDER BY start_time, id LIMIT $6) a
     ORDER BY a.start_time, a.id"
));

fn agenda_item(row: &dyn Row) -> StoreResult<AgendaItem> {
    let contact: ContactFields = row.json(13, "contact data")?;
    Ok(AgendaItem {
        appointment: appointment(row)?,
        contact_name: contact.display_name(),
    })
}

/// A slot length of an `INTEGER` column.
fn minutes(row: &dyn Row, i: usize) -> StoreResult<u32> {
    u32::try_from(row.int32(i)?).map_err(|_| corrupt("slot length"))
}

fn db_minutes(m: u32) -> i32 {
    i32::try_from(m).unwrap_or(i32::MAX)
}

fn calendar(row: &dyn Row) -> StoreResult<Calendar> {
    Ok(Calendar {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        name: row.string(2)?,
        description: row.opt_string(3)?,
        time_zone: row.string(4)?,
        slot_duration_minutes: minutes(row, 5)?,
        slot_interval_minutes: minutes(row, 6)?,
        open_hours: row.json(7, "open hours")?,
        is_active: row.bool(8)?,
        date_added: ts(row, 9)?,
        date_updated: ts(row, 10)?,
        pre_buffer_minutes: minutes(row, 11)?,
        slot_buffer_minutes: minutes(row, 12)?,
        min_notice_minutes: minutes(row, 13)?,
    })
}

fn appointment(row: &dyn Row) -> StoreResult<Appointment> {
    Ok(Appointment {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        calendar_id: id(row, 2)?,
        contact_id: id(row, 3)?,
        title: row.string(4)?,
        description: row.opt_string(5)?,
        address: row.opt_string(6)?,
        status: AppointmentStatus::parse(row.str(7)?).ok_or_else(|| corrupt("status"))?,
        assigned_user_id: opt_id(row, 8)?,
        start: ts(row, 9)?,
        end: ts(row, 10)?,
        date_added: ts(row, 11)?,
        date_updated: ts(row, 12)?,
    })
}

fn hours_json(c: &Calendar) -> StoreResult<String> {
    serde_json::to_string(&c.open_hours).map_err(|e| StoreError::Other(e.to_string()))
}

/// The calendar's `date_updated` and the minutes its buffers keep between appointments.
fn version(row: &dyn Row) -> StoreResult<(Timestamp, i64)> {
    Ok((ts(row, 0)?, i64::from(row.int32(1)?)))
}

fn flag(row: &dyn Row) -> StoreResult<bool> {
    row.bool(0)
}

/// The booking of `insert_appointment` and `update_appointment`, inside one write.
async fn book(
    db: &mut dyn Db,
    a: &Appointment,
    checked: Timestamp,
    update: bool,
) -> StoreResult<()> {
    let version_sql = match db.dialect() {
        Dialect::Postgres => &CALENDAR_VERSION_LOCKED,
        Dialect::Sqlite => &CALENDAR_VERSION,
    };
    let found = db
        .opt(
            version_sql,
            params![&a.location_id, &a.calendar_id],
            version,
        )
        .await?;
    let gap_ms = match found {
        None => return Err(StoreError::NotFound),
        Some((v, _)) if v != checked => return Err(StoreError::Conflict(CALENDAR_CHANGED)),
        Some((_, gap_minutes)) => gap_minutes * 60_000,
    };
    if a.occupies() {
        // Another appointment must end (or start) the buffers' time away from this one.
        let (from, to) = (a.start.millis() - gap_ms, a.end.millis() + gap_ms);
        let p = params![
            &a.calendar_id,
            &a.id,
            Timestamp(from),
            Timestamp(to),
            from - LENGTH_MAX_MS
        ];
        if db.one(&SLOT_TAKEN_BY, p, flag).await? {
            return Err(StoreError::Conflict(SLOT_TAKEN));
        }
    }
    let user = a.assigned_user_id.as_ref();
    if update {
        let p = params![
            &a.id,
            &a.location_id,
            &a.calendar_id,
            &a.title,
            a.description.as_ref(),
            a.address.as_ref(),
            a.status.as_str(),
            user,
            a.start,
            a.end,
            a.date_updated
        ];
        db.change(&UPDATE_APPOINTMENT, p).await
    } else {
        let p = params![
            &a.id,
            &a.location_id,
            &a.calendar_id,
            &a.contact_id,
            &a.title,
            a.description.as_ref(),
            a.address.as_ref(),
            a.status.as_str(),
            user,
            a.start,
            a.end,
            a.date_added,
            a.date_updated
        ];
        db.execute(&INSERT_APPOINTMENT, p).await.map(drop)
    }
}

#[async_trait]
impl<B: SqlBackend> CalendarStore for B {
    async fn insert_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let hours = hours_json(c)?;
        run!(self.write, [c], |db| {
            let p = params![
                &c.id,
                &c.location_id,
                &c.name,
                c.description.as_ref(),
                &c.time_zone,
                db_minutes(c.slot_duration_minutes),
                db_minutes(c.slot_interval_minutes),
                &hours,
                c.is_active,
                c.date_added,
                c.date_updated,
                db_minutes(c.pre_buffer_minutes),
                db_minutes(c.slot_buffer_minutes),
                db_minutes(c.min_notice_minutes)
            ];
            db.execute(&INSERT_CALENDAR, p).await.map(drop)
        })
    }

    async fn list_calendars(&self, location: &LocationId) -> StoreResult<Vec<Calendar>> {
        run!(self.read, [location], |db| {
            db.rows(&LIST_CALENDARS, params![&location], calendar).await
        })
    }

    async fn get_calendar(
        &self,
        location: &LocationId,
        id: &CalendarId,
    ) -> StoreResult<Option<Calendar>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET_CALENDAR, params![&id, &location], calendar)
                .await
        })
    }

    async fn update_calendar(&self, c: &Calendar) -> StoreResult<()> {
        let hours = hours_json(c)?;
        run!(self.write, [c], |db| {
            let p = params![
                &c.id,
                &c.location_id,
                &c.name,
                c.description.as_ref(),
                &c.time_zone,
                db_minutes(c.slot_duration_minutes),
                db_minutes(c.slot_interval_minutes),
                &hours,
                c.is_active,
                c.date_updated,
                db_minutes(c.pre_buffer_minutes),
                db_minutes(c.slot_buffer_minutes),
                db_minutes(c.min_notice_minutes)
            ];
            db.change(&UPDATE_CALENDAR, p).await
        })
    }

    async fn delete_calendar(&self, location: &LocationId, id: &CalendarId) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            db.change(&DELETE_CALENDAR, params![&id, &location]).await
        })
    }

    async fn insert_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        run!(self.write, [a], |db| book(db, &a, checked, false).await)
    }

    async fn update_appointment(&self, a: &Appointment, checked: Timestamp) -> StoreResult<()> {
        run!(self.write, [a], |db| book(db, &a, checked, true).await)
    }

    async fn get_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<Option<Appointment>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET_APPOINTMENT, params![&id, &location], appointment)
                .await
        })
    }

    async fn delete_appointment(
        &self,
        location: &LocationId,
        id: &AppointmentId,
    ) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            db.change(&DELETE_APPOINTMENT, params![&id, &location])
                .await
        })
    }

    async fn list_appointments(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Appointment>> {
        run!(self.read, [location, calendar], |db| {
            let p = params![
                &location,
                &calendar,
                from,
                to,
                from.millis() - LENGTH_MAX_MS
            ];
            db.rows(&LIST_APPOINTMENTS, p, appointment).await
        })
    }

    async fn agenda(
        &self,
        location: &LocationId,
        calendar: &CalendarId,
        (from, to): (Timestamp, Timestamp),
        limit: u32,
    ) -> StoreResult<Vec<AgendaItem>> {
        run!(self.read, [location, calendar], |db| {
            let p = params![
                &location,
                &calendar,
                from,
                to,
                from.millis() - LENGTH_MAX_MS,
                i64::from(limit)
            ];
            db.rows(&AGENDA, p, agenda_item).await
        })
    }
}
