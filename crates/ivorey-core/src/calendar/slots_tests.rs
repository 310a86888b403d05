//! Slot computation across daylight-saving changes in America/New_York and Europe/Berlin.

use super::*;
use crate::calendar::hours::HourRange;

fn every_day(ranges: &[(u8, u8, u8, u8)]) -> Vec<OpenHour> {
    vec![OpenHour {
        days_of_the_week: (0..7).collect(),
        hours: ranges
            .iter()
            .map(|&(oh, om, ch, cm)| HourRange {
                open_hour: oh,
                open_minute: om,
                close_hour: ch,
                close_minute: cm,
            })
            .collect(),
    }]
}

fn at(iso: &str) -> Timestamp {
    Timestamp::parse_rfc3339(iso).expect(iso)
}

fn slots_between(
    zone: &str,
    hours: &[OpenHour],
    minutes: u32,
    from: &str,
    to: &str,
) -> Vec<String> {
    let zone = TimeZone::get(zone).unwrap();
    let s = Schedule {
        zone: &zone,
        open_hours: hours,
        duration_minutes: minutes,
        interval_minutes: minutes,
    };
    free_slots(&s, (at(from), at(to)), Timestamp(0), &[])
        .into_iter()
        .map(|t| local_iso(t, &zone))
        .collect()
}

/// Nine to five, hourly, for a week around a change: every day has the same eight local hours.
fn nine_to_five_keeps_local_hours(zone: &str, from: &str, to: &str, offsets: [&str; 2]) {
    let hours = every_day(&[(9, 0, 17, 0)]);
    let slots = slots_between(zone, &hours, 60, from, to);
    assert_eq!(slots.len(), 7 * 8, "{slots:?}");
    for day in slots.chunks(8) {
        let times: Vec<&str> = day.iter().map(|s| &s[11..19]).collect();
        assert_eq!(times[0], "09:00:00");
        assert_eq!(times[7], "16:00:00");
    }
    assert!(slots[0].ends_with(offsets[0]), "{}", slots[0]);
    assert!(slots[55].ends_with(offsets[1]), "{}", slots[55]);
}

#[test]
fn new_york_spring_forward_keeps_nine_to_five_local() {
    nine_to_five_keeps_local_hours(
        "America/New_York",
        "2030-03-07T05:00:00Z",
        "2030-03-14T04:00:00Z",
        ["-05:00", "-04:00"],
    );
}

#[test]
fn berlin_fall_back_keeps_nine_to_five_local() {
    nine_to_five_keeps_local_hours(
        "Europe/Berlin",
        "2030-10-23T22:00:00Z",
        "2030-10-30T23:00:00Z",
        ["+02:00", "+01:00"],
    );
}

#[test]
fn local_times_in_the_spring_gap_are_skipped() {
    // 2030-03-10: New York clocks jump from 02:00 to 03:00.
    let hours = every_day(&[(0, 0, 4, 0)]);
    let slots = slots_between(
        "America/New_York",
        &hours,
        30,
        "2030-03-10T05:00:00Z",
        "2030-03-10T12:00:00Z",
    );
    let times: Vec<&str> = slots.iter().map(|s| &s[11..]).collect();
    assert_eq!(
        times,
        [
            "00:00:00-05:00",
            "00:30:00-05:00",
            "01:00:00-05:00",
            "01:30:00-05:00",
            "03:00:00-04:00",
            "03:30:00-04:00"
        ]
    );
}

#[test]
fn a_repeated_local_time_is_offered_once_at_its_first_occurrence() {
    // 2030-10-27: Berlin clocks go back from 03:00 to 02:00, so 02:00-02:59 happens twice.
    let hours = every_day(&[(1, 0, 4, 0)]);
    let slots = slots_between(
        "Europe/Berlin",
        &hours,
        60,
        "2030-10-26T22:00:00Z",
        "2030-10-27T12:00:00Z",
    );
    let times: Vec<&str> = slots.iter().map(|s| &s[11..]).collect();
    assert_eq!(
        times,
        ["01:00:00+02:00", "02:00:00+02:00", "03:00:00+01:00"]
    );
}

#[test]
fn booked_and_past_slots_are_left_out_and_days_group_locally() {
    let zone = TimeZone::get("America/New_York").unwrap();
    let hours = every_day(&[(9, 0, 12, 0)]);
    let s = Schedule {
        zone: &zone,
        open_hours: &hours,
        duration_minutes: 60,
        interval_minutes: 30,
    };
    let window = (at("2030-06-03T00:00:00Z"), at("2030-06-05T04:00:00Z"));
    let now = at("2030-06-03T14:00:00Z"); // 10:00 local on the 3rd
    let busy = [(at("2030-06-04T14:00:00Z"), at("2030-06-04T15:00:00Z"))];
    let days = by_local_date(&free_slots(&s, window, now, &busy), &zone);
    assert_eq!(
        days["2030-06-03"],
        [
            "2030-06-03T10:00:00-04:00",
            "2030-06-03T10:30:00-04:00",
            "2030-06-03T11:00:00-04:00"
        ]
    );
    // 10:00-11:00 is booked: 09:30 and 10:30 overlap it too.
    assert_eq!(
        days["2030-06-04"],
        ["2030-06-04T09:00:00-04:00", "2030-06-04T11:00:00-04:00"]
    );
    assert_eq!(days.len(), 2);
}

#[test]
fn open_hours_checks_whole_bookings_across_adjacent_ranges() {
    let zone = TimeZone::get("Europe/Berlin").unwrap();
    let hours = every_day(&[(9, 0, 12, 0), (12, 0, 17, 0)]);
    let s = Schedule {
        zone: &zone,
        open_hours: &hours,
        duration_minutes: 30,
        interval_minutes: 30,
    };
    let inside = (at("2030-10-28T10:30:00Z"), at("2030-10-28T11:30:00Z")); // 11:30-12:30 local
    assert!(within_open_hours(&s, inside.0, inside.1));
    let late = (at("2030-10-28T15:30:00Z"), at("2030-10-28T16:30:00Z")); // 16:30-17:30
    assert!(!within_open_hours(&s, late.0, late.1));
    let early = (at("2030-10-28T07:30:00Z"), at("2030-10-28T08:30:00Z")); // 08:30-09:30
    assert!(!within_open_hours(&s, early.0, early.1));
    // After the change Berlin is UTC+1: 09:00 local is 08:00Z; before it, 07:00Z.
    let (after, before) = (at("2030-10-28T08:00:00Z"), at("2030-10-25T07:00:00Z"));
    assert!(within_open_hours(&s, after, Timestamp(after.0 + 1_800_000)));
    assert!(within_open_hours(
        &s,
        before,
        Timestamp(before.0 + 1_800_000)
    ));
    let too_early = Timestamp(before.0 - 1_800_000);
    assert!(!within_open_hours(&s, too_early, before));
}
