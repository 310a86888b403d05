//! Seeded appointments: one calendar open every day, and half-hour appointments from 08:00 to
//! 16:00 UTC, 16 a day, on consecutive days centred on today (so this week is full), each with
//! one of the seeded contacts.

use std::sync::Arc;

use anyhow::anyhow;
use ivorey_app::calendars;
use ivorey_core::calendar::CalendarInput;
use ivorey_core::calendar::appointment::{Appointment, AppointmentStatus};
use ivorey_core::calendar::hours::{HourRange, OpenHour};
use ivorey_core::ids::AppointmentId;
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::Store;

use super::{bar, fan_out};
use crate::commands::cli_error;

const PER_DAY: u64 = 16;
const DAY_MS: i64 = 86_400_000;
const HALF_HOUR_MS: i64 = 1_800_000;

pub async fn seed(
    store: &Arc<dyn Store>,
    location: &LocationId,
    contacts: &[ContactId],
    count: u64,
    now: Timestamp,
) -> anyhow::Result<()> {
    if contacts.is_empty() {
        return Err(anyhow!("--appointments needs at least one contact"));
    }
    let input = CalendarInput {
        name: Some("Seeded calendar".into()),
        timezone: Some("UTC".into()),
        slot_duration: Some(30),
        open_hours: Some(vec![OpenHour {
            days_of_the_week: (0..7).collect(),
            hours: vec![HourRange {
                open_hour: 0,
                open_minute: 0,
                close_hour: 24,
                close_minute: 0,
            }],
        }]),
        ..CalendarInput::default()
    };
    let calendar = calendars::create_calendar(store.as_ref(), now, location, input)
        .await
        .map_err(cli_error)?;
    let days = count.div_ceil(PER_DAY) as i64;
    // Half the days before today, half after: the current week is full.
    let first_day = (now.0.div_euclid(DAY_MS) - days / 2) * DAY_MS;
    let bar = bar(count, "appointments");
    let (store, calendar, contacts) = (
        store.clone(),
        Arc::new(calendar),
        Arc::new(contacts.to_vec()),
    );
    fan_out(count, &bar, move |n| {
        let (store, calendar, contacts) = (store.clone(), calendar.clone(), contacts.clone());
        async move {
            let day = (n / PER_DAY) as i64;
            let slot = (n % PER_DAY) as i64;
            let start = Timestamp(first_day + day * DAY_MS + 8 * 3_600_000 + slot * HALF_HOUR_MS);
            let appointment = Appointment {
                id: AppointmentId::generate(),
                location_id: calendar.location_id.clone(),
                calendar_id: calendar.id.clone(),
                contact_id: contacts[(n as usize) % contacts.len()].clone(),
                title: "Consultation".into(),
                description: None,
                address: None,
                status: AppointmentStatus::Confirmed,
                assigned_user_id: None,
                start,
                end: Timestamp(start.0 + HALF_HOUR_MS),
                date_added: now,
                date_updated: now,
            };
            store
                .insert_appointment(&appointment, calendar.date_updated)
                .await?;
            Ok(1)
        }
    })
    .await
}
