//! The process's Prometheus counters (served by the HTTP layer at `GET /metrics`): requests by
//! route, method and status, latency histograms by route, authenticated API requests and
//! rate-limit refusals by integration, failures of the shared rate-limit counters, and the
//! listener's connections (open, closed by a time limit or the cap, failed accepts). Routes are
//! the matched templates (`/contacts/{contactId}`), never raw paths, so the label set stays
//! small; integrations past the first `MAX_INTEGRATION_LABELS` seen by this process are counted
//! under `other`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ivorey_core::IntegrationId;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Integrations labelled by id; later ones share the `other` label, so a process serving many
/// integrations still exports a bounded number of series.
pub const MAX_INTEGRATION_LABELS: usize = 1000;

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    Burst,
    Daily,
}

/// Per integration: requests, refusals by the burst limit, refusals by the daily limit.
#[derive(Debug, Default, Clone, Copy)]
struct ApiCounts {
    requests: u64,
    burst_refused: u64,
    daily_refused: u64,
}

#[derive(Debug, Default)]
struct Registry {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    by_integration: BTreeMap<String, ApiCounts>,
    backend_errors: BTreeMap<&'static str, u64>,
}

/// The process's metrics, shared by all requests.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
    connections: Arc<ConnectionCounters>,
}

/// The listener's counters, kept in atomics: they move on every connection, not every request.
#[derive(Debug, Default)]
pub struct ConnectionCounters {
    open: AtomicU64,
    accept_errors: AtomicU64,
    at_capacity: AtomicU64,
    header_timeout: AtomicU64,
    idle: AtomicU64,
    shed: AtomicU64,
    body_timeout: AtomicU64,
}

impl ConnectionCounters {
    pub fn opened(&self) {
        self.open.fetch_add(1, Ordering::Relaxed);
    }

    pub fn ended(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn accept_failed(&self) {
        self.accept_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn at_capacity(&self) {
        self.at_capacity.fetch_add(1, Ordering::Relaxed);
    }

    pub fn body_timed_out(&self) {
        self.body_timeout.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection closed by the server: `header_timeout`, `idle` or `shed`.
    pub fn closed(&self, reason: &str) {
        let counter = match reason {
            "header_timeout" => &self.header_timeout,
            "idle" => &self.idle,
            _ => &self.shed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        out.push_str("# HELP ivorey_connections_open Client connections open now.\n");
        out.push_str("# TYPE ivorey_connections_open gauge\n");
        let _ = writeln!(out, "ivorey_connections_open {}", get(&self.open));
        out.push_str(
            "# HELP ivorey_accept_errors_total Failed accepts (EMFILE: the file limit was reached).\n",
        );
        out.push_str("# TYPE ivorey_accept_errors_total counter\n");
        let _ = writeln!(
            out,
            "ivorey_accept_errors_total {}",
            get(&self.accept_errors)
        );
        out.push_str(
            "# HELP ivorey_connections_at_capacity_total Times a client found every connection slot taken.\n",
        );
        out.push_str("# TYPE ivorey_connections_at_capacity_total counter\n");
        let _ = writeln!(
            out,
            "ivorey_connections_at_capacity_total {}",
            get(&self.at_capacity)
        );
        out.push_str(
            "# HELP ivorey_connections_closed_total Connections the server closed, by reason.\n",
        );
        out.push_str("# TYPE ivorey_connections_closed_total counter\n");
        for (reason, counter) in [
            ("header_timeout", &self.header_timeout),
            ("idle", &self.idle),
            ("shed", &self.shed),
            ("body_timeout", &self.body_timeout),
        ] {
            let _ = writeln!(
                out,
                "ivorey_connections_closed_total{{reason=\"{reason}\"}} {}",
                get(counter)
            );
        }
    }
}

impl Metrics {
    /// The listener's counters.
    pub fn connections(&self) -> &ConnectionCounters {
        &self.connections
    }

    /// Counts one answered request under its route template.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut r = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        *r.requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_insert(0) += 1;
        let h = r.latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// Counts one authenticated API request of `integration`, and its refusal if any.
    pub fn api_request(&self, integration: &IntegrationId, refused: Option<RateLimit>) {
        let mut r = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let labelled = r.by_integration.len() < MAX_INTEGRATION_LABELS
            || r.by_integration.contains_key(integration.as_str());
        let label = if labelled {
            integration.as_str()
        } else {
            "other"
        };
        let counts = match r.by_integration.get_mut(label) {
            Some(counts) => counts,
            None => r.by_integration.entry(label.to_owned()).or_default(),
        };
        counts.requests += 1;
        match refused {
            Some(RateLimit::Burst) => counts.burst_refused += 1,
            Some(RateLimit::Daily) => counts.daily_refused += 1,
            None => {}
        }
    }

    /// Counts a failed call to the shared rate-limit counters.
    pub fn rate_limit_backend_error(&self, backend: &'static str) {
        let mut r = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        *r.backend_errors.entry(backend).or_insert(0) += 1;
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let r = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP ivorey_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE ivorey_http_requests_total counter\n");
        for ((route, method, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "ivorey_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP ivorey_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE ivorey_http_request_duration_seconds histogram\n");
        for (route, h) in &r.latency {
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "ivorey_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "ivorey_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "ivorey_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "ivorey_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        render_api(&r, &mut out);
        self.connections.render(&mut out);
        out
    }
}

fn render_api(r: &Registry, out: &mut String) {
    out.push_str("# HELP ivorey_api_requests_total Authenticated API requests by integration.\n");
    out.push_str("# TYPE ivorey_api_requests_total counter\n");
    for (integration, c) in &r.by_integration {
        let _ = writeln!(
            out,
            "ivorey_api_requests_total{{integration=\"{integration}\"}} {}",
            c.requests
        );
    }
    out.push_str(
        "# HELP ivorey_rate_limited_total API requests refused with 429, by integration and limit.\n",
    );
    out.push_str("# TYPE ivorey_rate_limited_total counter\n");
    for (integration, c) in &r.by_integration {
        for (limit, n) in [("burst", c.burst_refused), ("daily", c.daily_refused)] {
            let _ = writeln!(
                out,
                "ivorey_rate_limited_total{{integration=\"{integration}\",limit=\"{limit}\"}} {n}"
            );
        }
    }
    out.push_str(
        "# HELP ivorey_rate_limit_backend_errors_total Failed calls to the shared rate-limit \
         counters (the node then limits on its own counters).\n",
    );
    out.push_str("# TYPE ivorey_rate_limit_backend_errors_total counter\n");
    for (backend, n) in &r.backend_errors {
        let _ = writeln!(
            out,
            "ivorey_rate_limit_backend_errors_total{{backend=\"{backend}\"}} {n}"
        );
    }
}
