//! Summaries of the runs and the printed tables.

use std::time::Duration;

use serde_json::Value;
use tatami_client::sync::SyncReport;

use super::Wire;

/// Latencies in the order measured.
pub(crate) struct Summary(pub(crate) Vec<Duration>);

impl Summary {
    /// The nearest-rank percentile `p` (0 to 1).
    pub(crate) fn at(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = (p * sorted.len() as f64).ceil() as usize;
        sorted
            .get(rank.clamp(1, sorted.len().max(1)) - 1)
            .copied()
            .unwrap_or_default()
    }

    /// The mean of the `part`th of `parts` equal runs of scans, in order.
    pub(crate) fn mean(&self, part: usize, parts: usize) -> Duration {
        let size = self.0.len().div_ceil(parts).max(1);
        let times = self.0.chunks(size).nth(part).unwrap_or_default();
        times.iter().sum::<Duration>() / u32::try_from(times.len().max(1)).unwrap_or(u32::MAX)
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

/// Prints a Markdown table under a heading; cells are separated by `|`.
pub(crate) fn table(title: &str, header: &str, rows: &[String]) {
    let columns = header.split('|').count();
    println!("## {title}\n\n| {header} |\n|{}", "---|".repeat(columns));
    for row in rows {
        println!("| {row} |");
    }
    println!();
}

pub(crate) fn print_door(runs: &[(String, Summary)], students: usize) {
    let row = |(name, s): &(String, Summary)| {
        let quarters: Vec<String> = (0..4).map(|q| ms(s.mean(q, 4))).collect();
        let (p50, p99, max) = (ms(s.at(0.5)), s.at(0.99), ms(s.at(1.0)));
        let ok = met(p99 <= Duration::from_millis(20));
        let (n, quarters, p99) = (s.0.len(), quarters.join(" / "), ms(p99));
        format!("{name} | {n} | {p50} | {p99} | {max} | {quarters} | {ok}")
    };
    table(
        &format!("1. Door: `check_in_scanned` with {students} students in the store"),
        "run | scans | p50 | p99 | max | mean by quarter of the run | p99 ≤ 20 ms",
        &runs.iter().map(row).collect::<Vec<_>>(),
    );
}

pub(crate) struct CatchUp {
    pub(crate) report: SyncReport,
    pub(crate) wire: Wire,
    pub(crate) elsewhere: usize,
    pub(crate) edits: usize,
    pub(crate) here: usize,
}

impl CatchUp {
    pub(crate) fn print(&self) {
        let Self { report, wire, .. } = self;
        let ok = met(wire.elapsed <= Duration::from_secs(1) && report.round_trips <= 3);
        let (trips, pushed, pulled) = (report.round_trips, report.pushed, report.pulled);
        table(
            &format!(
                "2. Catch-up after a week offline: {} check-ins and {} edits elsewhere, {} check-ins here",
                self.elsewhere, self.edits, self.here
            ),
            "sync_now | round trips | pushed | pulled | sent | received | ≤ 1 s, ≤ 3 round trips",
            &[format!(
                "{} | {trips} | {pushed} | {pulled} | {} B | {} B | {ok}",
                ms(wire.elapsed),
                wire.sent,
                wire.received
            )],
        );
    }
}

pub(crate) fn print_idle(small: &(Vec<Wire>, Vec<Wire>), large: &[Wire], students: usize) {
    let row = |name: &str, syncs: &[Wire], counted: bool| {
        let times = Summary(syncs.iter().map(|w| w.elapsed).collect());
        let bytes = syncs.iter().map(|w| w.sent + w.received).max().unwrap_or(0);
        let (n, median, max) = (syncs.len(), ms(times.at(0.5)), ms(times.at(1.0)));
        if !counted {
            return format!("{name} | {n} | {median} | {max} | not counted |");
        }
        let ok = met(times.at(0.5) <= Duration::from_millis(20) && bytes <= 5 * 1024);
        format!("{name} | {n} | {median} | {max} | {bytes} B | {ok}")
    };
    table(
        "3. Idle reconnect: `sync_now` with nothing new",
        "store | syncs | median | max | bytes sent + received, most | ≤ 20 ms, ≤ 5 KB",
        &[
            row("20 students", &small.0, true),
            row("20 students, straight to the server", &small.1, false),
            row(&format!("{students} students"), large, true),
        ],
    );
}

pub(crate) struct Year {
    pub(crate) students: usize,
    pub(crate) held: u64,
    pub(crate) attended: usize,
    pub(crate) sessions: usize,
    pub(crate) check_ins: usize,
    pub(crate) enrolled: Duration,
    pub(crate) first_sync: SyncReport,
    pub(crate) wire: Wire,
}

impl Year {
    pub(crate) fn print(&self, large: &Wire, large_students: usize) {
        let Self { wire, enrolled, .. } = self;
        let ok = met(wire.elapsed <= Duration::from_secs(5));
        let then = ms(wire.elapsed.saturating_sub(*enrolled));
        table(
            &format!(
                "4. Fresh device: {} students, {} sessions, {} check-ins",
                self.students, self.sessions, self.check_ins
            ),
            "academy | open + enrol (first sync) | then sync_now | total | received | ≤ 5 s",
            &[
                format!(
                    "a year of attendance | {} | {then} | {} | {} B | {ok}",
                    ms(*enrolled),
                    ms(wire.elapsed),
                    wire.received
                ),
                format!(
                    "{large_students} students, no attendance (the door) | {} | | | {} B |",
                    ms(large.elapsed),
                    large.received
                ),
            ],
        );
        println!(
            "The fresh device holds {} students, the first with {} check-ins; its sync_now took {} round trip(s).\n",
            self.held, self.attended, self.first_sync.round_trips
        );
    }
}

pub(crate) fn print_memory(memory: &Value, students: usize) {
    let row = |name: &str, field: usize| {
        let kib = (0..5).map(|i| memory["kib"][i][field].as_f64().unwrap_or_default());
        let cells: Vec<String> = kib.map(|kib| format!("{:.1} MiB", kib / 1024.0)).collect();
        format!("{name} | {}", cells.join(" | "))
    };
    table(
        &format!("5. Memory of an engine over {students} students, in a process of its own"),
        &format!(
            "| process started | store opened | PIN unlocked | after roster searches | after {} scans",
            memory["admitted"]
        ),
        &[row("resident (VmRSS)", 0), row("peak so far (VmHWM)", 1)],
    );
}
