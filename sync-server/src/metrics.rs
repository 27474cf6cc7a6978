//! `/metrics` in the Prometheus text format: requests, latency, changes in
//! and out, errors.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;
use crate::sync::writer::SyncStats;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (count, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// Changes sent to devices by pulls and bootstraps.
    pub changes_out: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            latency.entry(route.to_owned()).or_default().observe(seconds);
        }
    }

    pub fn render(&self, sync: &SyncStats, cached_documents: usize) -> String {
        let mut out = String::new();
        out.push_str("# HELP tatami_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE tatami_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "tatami_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP tatami_http_request_duration_seconds Time to answer a request, by route.\n");
        out.push_str("# TYPE tatami_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let name = "tatami_http_request_duration_seconds";
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}");
                }
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        let counters = [
            (
                "tatami_changes_in_total",
                "Changes accepted from devices and stored.",
                &sync.changes_in,
            ),
            (
                "tatami_changes_refused_total",
                "Pushed documents refused.",
                &sync.changes_refused,
            ),
            (
                "tatami_sync_batches_total",
                "Transactions that stored pushes.",
                &sync.batches,
            ),
            (
                "tatami_changes_out_total",
                "Changes sent to devices.",
                &self.changes_out,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP tatami_cached_documents Documents held in memory.\n# TYPE tatami_cached_documents gauge\ntatami_cached_documents {cached_documents}"
        );
        out
    }
}

/// Records every request's route, status and duration.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
