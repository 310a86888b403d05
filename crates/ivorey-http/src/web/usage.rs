//! An integration's usage (from `app::usage`) drawn as a small inline SVG bar chart.

use ivorey_core::Timestamp;
use maud::{Markup, html};

use super::format;
pub(crate) use ivorey_app::usage::summary::{UsageSummary, summarize};

const WIDTH: u64 = 900;
const HEIGHT: u64 = 120;

/// Requests per day as bars; each bar's `<title>` gives its date and count, and the chart's
/// label summarises it for screen readers. No inline style: colours come from the stylesheet.
pub(crate) fn chart(usage: &UsageSummary) -> Markup {
    let days = usage.daily.len().max(1) as u64;
    let max = usage.daily.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let slot = WIDTH / days;
    let bar = slot.saturating_sub(4).max(2);
    let busiest = usage
        .daily
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(day, n)| (*n, -*day));
    let label = match busiest {
        Some((day, n)) => format!(
            "Requests per day over the last {days} days: {} in total, most on {} ({n}).",
            usage.total(),
            format::day_month(Timestamp(day * 86_400_000))
        ),
        None => format!("No requests in the last {days} days."),
    };
    let first = usage.daily.first().map(|(d, _)| *d).unwrap_or_default();
    let last = usage.daily.last().map(|(d, _)| *d).unwrap_or_default();
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(label) {
                line.chart-base x1="0" y1=(HEIGHT - 1) x2=(WIDTH) y2=(HEIGHT - 1) {}
                @for (i, (day, n)) in usage.daily.iter().enumerate() {
                    @let h = if max == 0 { 0 } else { (n * (HEIGHT - 8)).div_ceil(max) };
                    @let h = if *n > 0 { h.max(2) } else { 1 };
                    rect.bar.bar-empty[*n == 0] x=(i as u64 * slot + 2) y=(HEIGHT - h)
                        width=(bar) height=(h) {
                        title { (format::day_month(Timestamp(day * 86_400_000))) ": " (n)
                            @if *n == 1 { " request" } @else { " requests" } }
                    }
                }
            }
            div.chart-axis aria-hidden="true" {
                span { (format::day_month(Timestamp(first * 86_400_000))) }
                @if max > 0 { span { "most in a day: " (max) } }
                span { (format::day_month(Timestamp(last * 86_400_000))) }
            }
            figcaption { (label) }
        }
    }
}
