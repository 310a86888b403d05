//! Free slots and open-hours checks, as pure functions of a calendar's weekly hours in its IANA
//! time zone. Open hours are local wall-clock times, so 09:00-17:00 stays 09:00-17:00 local on
//! both sides of a daylight-saving change. Around a change:
//! - a slot whose local start does not exist (the spring gap) is skipped;
//! - a slot whose local start happens twice (the autumn fold) is offered once, at its first
//!   occurrence (the daylight-time offset); a booking may still take the second one;
//! - a range's open and close times in a gap move forward by the gap, and in a fold are their
//!   first occurrence, so a range is never longer than its wall-clock length plus the gap.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::hours::{DAY_MINUTES, OpenHour, ranges_on};
use crate::Timestamp;

/// What slot computation needs of a calendar.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    pub zone: &'a TimeZone,
    pub open_hours: &'a [OpenHour],
    pub duration_minutes: u32,
    pub interval_minutes: u32,
}

fn to_jiff(t: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(t.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn from_jiff(t: jiff::Timestamp) -> Timestamp {
    Timestamp(t.as_millisecond())
}

/// The local date of `t` in `zone`.
fn local_date(t: Timestamp, zone: &TimeZone) -> Date {
    to_jiff(t).to_zoned(zone.clone()).date()
}

/// `minute` (0..=1440) of local `date`, with 1440 meaning the next midnight.
fn civil(date: Date, minute: u16) -> Option<jiff::civil::DateTime> {
    let (date, minute) = if minute >= DAY_MINUTES {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, minute)
    };
    let (h, m) = ((minute / 60) as i8, (minute % 60) as i8);
    Some(date.at(h, m, 0, 0))
}

/// When a range's edge happens: a time in a gap moves forward, one in a fold is the first.
fn edge(zone: &TimeZone, date: Date, minute: u16) -> Option<Timestamp> {
    let dt = civil(date, minute)?;
    zone.to_ambiguous_timestamp(dt)
        .compatible()
        .ok()
        .map(from_jiff)
}

/// When a slot starting at local `minute` begins: none in a gap, the first one in a fold.
fn slot_start(zone: &TimeZone, date: Date, minute: u16) -> Option<Timestamp> {
    let ambiguous = zone.to_ambiguous_timestamp(civil(date, minute)?);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => None,
        _ => ambiguous.earlier().ok().map(from_jiff),
    }
}

/// Local dates from the one holding `from` to the one holding `to`, inclusive.
fn dates(zone: &TimeZone, from: Timestamp, to: Timestamp) -> impl Iterator<Item = Date> {
    let last = local_date(to, zone);
    std::iter::successors(Some(local_date(from, zone)), move |d| {
        d.tomorrow().ok().filter(|next| *next <= last)
    })
}

fn weekday(date: Date) -> u8 {
    date.weekday().to_sunday_zero_offset() as u8
}

/// The open periods (absolute instants) of the local days touching `[from, to)`, sorted, with
/// overlapping or touching periods merged.
pub fn open_periods(
    s: &Schedule<'_>,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let mut periods: Vec<(Timestamp, Timestamp)> = Vec::new();
    for date in dates(s.zone, from, to) {
        for (open, close) in ranges_on(s.open_hours, weekday(date)) {
            if let (Some(o), Some(c)) = (edge(s.zone, date, open), edge(s.zone, date, close))
                && o < c
            {
                periods.push((o, c));
            }
        }
    }
    periods.sort_unstable();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(periods.len());
    for (o, c) in periods {
        match merged.last_mut() {
            Some(last) if o <= last.1 => last.1 = last.1.max(c),
            _ => merged.push((o, c)),
        }
    }
    merged
}

/// Whether `[start, end)` lies wholly inside the open hours.
pub fn within_open_hours(s: &Schedule<'_>, start: Timestamp, end: Timestamp) -> bool {
    start < end
        && open_periods(s, start, end)
            .iter()
            .any(|(o, c)| *o <= start && end <= *c)
}

fn overlaps(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The starts of free slots in `[from, to)`, not before `now`, that overlap nothing in `busy`:
/// slots start on each range's open time and every `interval_minutes` of local time after it,
/// and end `duration_minutes` later, no later than the range's close.
pub fn free_slots(
    s: &Schedule<'_>,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    busy: &[(Timestamp, Timestamp)],
) -> Vec<Timestamp> {
    let earliest = from.max(now);
    let length = i64::from(s.duration_minutes) * 60_000;
    let step = u16::try_from(s.interval_minutes.max(1)).unwrap_or(DAY_MINUTES);
    let mut slots = Vec::new();
    for date in dates(s.zone, from, to) {
        for (open, close) in ranges_on(s.open_hours, weekday(date)) {
            let Some(closes) = edge(s.zone, date, close) else {
                continue;
            };
            let mut minute = open;
            while minute < close {
                if let Some(start) = slot_start(s.zone, date, minute) {
                    let slot = (start, Timestamp(start.0 + length));
                    if slot.1 <= closes
                        && start >= earliest
                        && start < to
                        && !busy.iter().any(|b| overlaps(slot, *b))
                    {
                        slots.push(start);
                    }
                }
                minute = minute.saturating_add(step);
            }
        }
    }
    slots.sort_unstable();
    slots.dedup();
    slots
}

/// ISO 8601 with the offset of `zone`, e.g. `2024-10-28T10:00:00-05:00`.
pub fn local_iso(t: Timestamp, zone: &TimeZone) -> String {
    to_jiff(t)
        .to_zoned(zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Slots grouped by their local date in `zone` (`YYYY-MM-DD`), in HighLevel's free-slots shape.
pub fn by_local_date(slots: &[Timestamp], zone: &TimeZone) -> BTreeMap<String, Vec<String>> {
    let mut days: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for slot in slots {
        let date = local_date(*slot, zone).strftime("%Y-%m-%d").to_string();
        days.entry(date).or_default().push(local_iso(*slot, zone));
    }
    days
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;
