//! Conformance cases for calendars and appointments: isolation by location, references kept in
//! the location, and overlapping bookings refused in the store itself.

use ivorey_core::calendar::Calendar;
use ivorey_core::calendar::appointment::{Appointment, AppointmentStatus};
use ivorey_core::calendar::hours::{HourRange, OpenHour};
use ivorey_core::ids::{AppointmentId, CalendarId};
use ivorey_core::{ContactId, LocationId, Timestamp};

use super::fixtures::{T0, new_contact, new_location};
use crate::{CALENDAR_CHANGED, SLOT_TAKEN, Store, StoreError};

const HOUR: i64 = 3_600_000;

fn calendar(location: &LocationId) -> Calendar {
    Calendar {
        id: CalendarId::generate(),
        location_id: location.clone(),
        name: "Demo".into(),
        description: Some("Intro call".into()),
        time_zone: "Europe/Berlin".into(),
        slot_duration_minutes: 60,
        slot_interval_minutes: 30,
        open_hours: vec![OpenHour {
            days_of_the_week: vec![1, 2],
            hours: vec![HourRange {
                open_hour: 9,
                open_minute: 0,
                close_hour: 17,
                close_minute: 30,
            }],
        }],
        is_active: true,
        date_added: T0,
        date_updated: T0,
        pre_buffer_minutes: 0,
        slot_buffer_minutes: 0,
        min_notice_minutes: 0,
    }
}

fn appointment(c: &Calendar, contact: &ContactId, start_hour: i64, hours: i64) -> Appointment {
    Appointment {
        id: AppointmentId::generate(),
        location_id: c.location_id.clone(),
        calendar_id: c.id.clone(),
        contact_id: contact.clone(),
        title: "Call".into(),
        description: None,
        address: None,
        status: AppointmentStatus::Confirmed,
        assigned_user_id: None,
        start: Timestamp(T0.0 + start_hour * HOUR),
        end: Timestamp(T0.0 + (start_hour + hours) * HOUR),
        date_added: T0,
        date_updated: T0,
    }
}

pub async fn calendars_round_trip_within_their_location(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let mut cal = calendar(&a);
    store.insert_calendar(&cal).await.unwrap();
    assert_eq!(
        store.get_calendar(&a, &cal.id).await.unwrap().as_ref(),
        Some(&cal)
    );
    assert!(store.get_calendar(&b, &cal.id).await.unwrap().is_none());
    assert!(store.list_calendars(&b).await.unwrap().is_empty());
    cal.name = "Renamed".into();
    cal.open_hours.clear();
    cal.is_active = false;
    cal.date_updated = Timestamp(T0.0 + 1);
    store.update_calendar(&cal).await.unwrap();
    assert_eq!(store.list_calendars(&a).await.unwrap(), [cal.clone()]);
    let stolen = Calendar {
        location_id: b.clone(),
        ..cal.clone()
    };
    assert!(matches!(
        store.update_calendar(&stolen).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_calendar(&b, &cal.id).await,
        Err(StoreError::NotFound)
    ));
    let who = new_contact(store, &a, "Booker").await;
    let booked = appointment(&cal, &who, 1, 1);
    store
        .insert_appointment(&booked, cal.date_updated)
        .await
        .unwrap();
    store.delete_calendar(&a, &cal.id).await.unwrap();
    assert!(store.get_calendar(&a, &cal.id).await.unwrap().is_none());
    assert!(
        store
            .get_appointment(&a, &booked.id)
            .await
            .unwrap()
            .is_none(),
        "deleted with it"
    );
}

pub async fn appointments_stay_in_their_location_and_never_overlap(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let (b, _) = new_location(store, "B").await;
    let cal = calendar(&a);
    store.insert_calendar(&cal).await.unwrap();
    let who = new_contact(store, &a, "Booker").await;
    let stranger = new_contact(store, &b, "Booker").await;
    let v = cal.date_updated;

    let first = appointment(&cal, &who, 10, 2);
    store.insert_appointment(&first, v).await.unwrap();
    assert_eq!(
        store.get_appointment(&a, &first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    assert!(
        store
            .get_appointment(&b, &first.id)
            .await
            .unwrap()
            .is_none()
    );
    // Overlapping on either side or inside is refused; touching is fine.
    for (start, hours) in [(9, 2), (11, 2), (10, 1), (9, 4)] {
        let clash = appointment(&cal, &who, start, hours);
        let refused = store.insert_appointment(&clash, v).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(SLOT_TAKEN))),
            "{start}+{hours}"
        );
    }
    let before = appointment(&cal, &who, 8, 2);
    store.insert_appointment(&before, v).await.unwrap();
    // A cancelled booking neither blocks nor is blocked.
    let mut cancelled = appointment(&cal, &who, 12, 1);
    cancelled.status = AppointmentStatus::Cancelled;
    store.insert_appointment(&cancelled, v).await.unwrap();
    let mut over_cancelled = appointment(&cal, &who, 12, 1);
    store.insert_appointment(&over_cancelled, v).await.unwrap();
    // An update does not collide with itself, but does with others.
    over_cancelled.end = Timestamp(over_cancelled.end.0 + HOUR);
    store.update_appointment(&over_cancelled, v).await.unwrap();
    over_cancelled.start = Timestamp(T0.0 + 11 * HOUR);
    let moved = store.update_appointment(&over_cancelled, v).await;
    assert!(matches!(moved, Err(StoreError::Conflict(SLOT_TAKEN))));
    // Stale calendar settings, foreign contacts and foreign calendars are refused.
    let later = appointment(&cal, &who, 20, 1);
    let stale = store.insert_appointment(&later, Timestamp(v.0 - 1)).await;
    assert!(matches!(stale, Err(StoreError::Conflict(CALENDAR_CHANGED))));
    let foreign = appointment(&cal, &stranger, 20, 1);
    assert!(matches!(
        store.insert_appointment(&foreign, v).await,
        Err(StoreError::NotFound)
    ));
    let mut elsewhere = appointment(&cal, &who, 20, 1);
    elsewhere.location_id = b.clone();
    assert!(matches!(
        store.insert_appointment(&elsewhere, v).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .get_appointment(&a, &later.id)
            .await
            .unwrap()
            .is_none()
    );

    let window = (Timestamp(T0.0 + 9 * HOUR), Timestamp(T0.0 + 12 * HOUR));
    let listed = store
        .list_appointments(&a, &cal.id, window.0, window.1)
        .await
        .unwrap();
    let ids: Vec<_> = listed.iter().map(|x| &x.id).collect();
    assert_eq!(ids, [&before.id, &first.id]);
    assert!(
        store
            .list_appointments(&b, &cal.id, window.0, window.1)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.delete_appointment(&b, &first.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_appointment(&a, &first.id).await.unwrap();
    assert!(
        store
            .get_appointment(&a, &first.id)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn buffers_keep_their_time_free_between_appointments(store: &dyn Store) {
    let (a, _) = new_location(store, "A").await;
    let mut cal = calendar(&a);
    cal.pre_buffer_minutes = 15;
    cal.slot_buffer_minutes = 15;
    store.insert_calendar(&cal).await.unwrap();
    let stored = store.get_calendar(&a, &cal.id).await.unwrap();
    assert_eq!(
        stored.as_ref(),
        Some(&cal),
        "the buffers and notice are kept"
    );
    let who = new_contact(store, &a, "Booker").await;
    let v = cal.date_updated;
    store
        .insert_appointment(&appointment(&cal, &who, 10, 1), v)
        .await
        .unwrap();
    // 11:15 leaves 15 minutes after the first: less than the 30 the two buffers keep.
    let mut close = appointment(&cal, &who, 11, 1);
    close.start = Timestamp(close.start.0 + 15 * 60_000);
    close.end = Timestamp(close.end.0 + 15 * 60_000);
    let refused = store.insert_appointment(&close, v).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(SLOT_TAKEN))),
        "{refused:?}"
    );
    let mut before = appointment(&cal, &who, 8, 1);
    before.end = Timestamp(before.end.0 + 45 * 60_000);
    let refused = store.insert_appointment(&before, v).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(SLOT_TAKEN))),
        "ends 15 minutes before the first: {refused:?}"
    );
    let mut clear = close.clone();
    clear.id = AppointmentId::generate();
    clear.start = Timestamp(clear.start.0 + 15 * 60_000);
    clear.end = Timestamp(clear.end.0 + 15 * 60_000);
    store.insert_appointment(&clear, v).await.unwrap();
}
