//! Each check's latest result and how often it ran and failed, in
//! Prometheus' text exposition format (version 0.0.4).
//!
//! ```text
//! # HELP heartbeat_check_status Whether the check passed (1) or failed (0) when it last ran.
//! # TYPE heartbeat_check_status gauge
//! heartbeat_check_status{probe="readiness",check="database"} 0
//! ```

use std::{
    fmt::Write,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use crate::{Heartbeat, probe::Probe, report::CheckReport};

/// The `Content-Type` of the metrics.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

impl Heartbeat {
    /// Every check's latest result, and how often it ran and failed, in
    /// Prometheus' text exposition format (version 0.0.4), as the `metrics`
    /// endpoint serves it when [`HeartbeatBuilder::metrics`] turns it on.
    /// Nothing runs: this shows what earlier runs found.
    ///
    /// | metric | type | value |
    /// | --- | --- | --- |
    /// | `heartbeat_check_status` | gauge | 1 if the check passed when it last ran, 0 if it failed |
    /// | `heartbeat_check_duration_seconds` | gauge | how long it took when it last ran |
    /// | `heartbeat_check_runs_total` | counter | how many times it ran |
    /// | `heartbeat_check_failures_total` | counter | how many times it failed |
    ///
    /// Each sample is labelled with the `probe` (`readiness`, `liveness` or
    /// `startup`) and the `check`'s name. A check that has not run yet shows
    /// its counters only. Environ contributions are not shown.
    ///
    /// To add these to an application's own metrics page, append this text
    /// to it: its names do not clash with others'.
    ///
    /// ```
    /// use heartbeat_core::{Heartbeat, Outcome, Probe, check_fn};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let heartbeat = Heartbeat::builder()
    ///     .without_declared()
    ///     .readiness("database", check_fn(|| async { Outcome::fail("connection refused") }))
    ///     .build()
    ///     .unwrap();
    /// heartbeat.report(Probe::Readiness).await;
    ///
    /// let metrics = heartbeat.metrics();
    /// assert!(metrics.contains(r#"heartbeat_check_status{probe="readiness",check="database"} 0"#));
    /// assert!(metrics.contains(r#"heartbeat_check_failures_total{probe="readiness",check="database"} 1"#));
    /// # });
    /// ```
    ///
    /// [`HeartbeatBuilder::metrics`]: crate::HeartbeatBuilder::metrics
    pub fn metrics(&self) -> String {
        let checks = [Probe::Readiness, Probe::Liveness, Probe::Startup]
            .into_iter()
            .flat_map(|probe| {
                self.entries(probe)
                    .iter()
                    .map(move |entry| (probe, &*entry.name, &*entry.tally))
            });
        exposition(checks)
    }
}

/// What the metrics show of one check of one probe: counted as it runs.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    runs: AtomicU64,
    failures: AtomicU64,
    /// The latest run, in one word so that recording takes no lock: zero
    /// before the first run, else its duration in nanoseconds shifted left
    /// by two, bit 1 set, and bit 0 its status.
    last: AtomicU64,
}

const RAN: u64 = 0b10;

impl Tally {
    /// Counts a run of the check.
    pub(crate) fn record(&self, report: &CheckReport) {
        self.runs.fetch_add(1, Ordering::Relaxed);
        if !report.status() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        // Durations past 2^62 ns (146 years) read as that.
        let nanos = u64::try_from(report.duration().as_nanos())
            .map_or(u64::MAX >> 2, |nanos| nanos.min(u64::MAX >> 2));
        let last = nanos << 2 | RAN | u64::from(report.status());
        self.last.store(last, Ordering::Relaxed);
    }

    /// The status and duration of the latest run, if any.
    fn last(&self) -> Option<(bool, Duration)> {
        let last = self.last.load(Ordering::Relaxed);
        (last & RAN != 0).then(|| (last & 1 == 1, Duration::from_nanos(last >> 2)))
    }
}

/// One family of samples: a name, what it means, its type, and its value
/// for a tally (none when there is nothing to show yet).
struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    value: fn(&Tally) -> Option<String>,
}

const FAMILIES: [Family; 4] = [
    Family {
        name: "heartbeat_check_status",
        help: "Whether the check passed (1) or failed (0) when it last ran.",
        kind: "gauge",
        value: |tally| tally.last().map(|(status, _)| u8::from(status).to_string()),
    },
    Family {
        name: "heartbeat_check_duration_seconds",
        help: "How long the check took when it last ran.",
        kind: "gauge",
        value: |tally| {
            tally
                .last()
                .map(|(_, duration)| duration.as_secs_f64().to_string())
        },
    },
    Family {
        name: "heartbeat_check_runs_total",
        help: "How many times the check has run.",
        kind: "counter",
        value: |tally| Some(tally.runs.load(Ordering::Relaxed).to_string()),
    },
    Family {
        name: "heartbeat_check_failures_total",
        help: "How many times the check has failed.",
        kind: "counter",
        value: |tally| Some(tally.failures.load(Ordering::Relaxed).to_string()),
    },
];

/// The exposition of `checks`: each family's `HELP` and `TYPE`, then its
/// samples, one per check, labelled by probe and check. A check that has not
/// run yet has counters of zero and no gauges.
pub(crate) fn exposition<'a>(
    checks: impl Iterator<Item = (Probe, &'a str, &'a Tally)> + Clone,
) -> String {
    let mut text = String::new();
    for family in &FAMILIES {
        let _ = writeln!(text, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(text, "# TYPE {} {}", family.name, family.kind);
        for (probe, check, tally) in checks.clone() {
            if let Some(value) = (family.value)(tally) {
                let _ = writeln!(
                    text,
                    "{}{{probe=\"{}\",check=\"{}\"}} {value}",
                    family.name,
                    escape(probe.name()),
                    escape(check),
                );
            }
        }
    }
    text
}

/// A label's value as the format writes it: backslash, double quote and
/// line feed escaped.
fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::outcome::Outcome;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("line\nbreak"), r"line\nbreak");
        assert_eq!(escape("données"), "données");
    }

    #[test]
    fn tallies_count_runs_and_failures_and_keep_the_latest() {
        let tally = Tally::default();
        let run = |outcome, millis| {
            CheckReport::new(Arc::from("db"), outcome, Duration::from_millis(millis))
        };
        assert_eq!(tally.last(), None);
        tally.record(&run(Outcome::fail("down"), 250));
        tally.record(&run(Outcome::pass(), 4));
        assert_eq!(tally.runs.load(Ordering::Relaxed), 2);
        assert_eq!(tally.failures.load(Ordering::Relaxed), 1);
        assert_eq!(tally.last(), Some((true, Duration::from_millis(4))));
        tally.record(&run(Outcome::fail("down"), 0));
        assert_eq!(tally.last(), Some((false, Duration::ZERO)));
    }

    #[test]
    fn checks_that_have_not_run_show_counters_only() {
        let ran = Tally::default();
        ran.record(&CheckReport::new(
            Arc::from("db"),
            Outcome::fail("down"),
            Duration::from_millis(1500),
        ));
        let idle = Tally::default();
        let checks = [
            (Probe::Readiness, "db", &ran),
            (Probe::Liveness, "a\"b", &idle),
        ];
        assert_eq!(
            exposition(checks.into_iter()),
            concat!(
                "# HELP heartbeat_check_status Whether the check passed (1) or failed (0) when it last ran.\n",
                "# TYPE heartbeat_check_status gauge\n",
                "heartbeat_check_status{probe=\"readiness\",check=\"db\"} 0\n",
                "# HELP heartbeat_check_duration_seconds How long the check took when it last ran.\n",
                "# TYPE heartbeat_check_duration_seconds gauge\n",
                "heartbeat_check_duration_seconds{probe=\"readiness\",check=\"db\"} 1.5\n",
                "# HELP heartbeat_check_runs_total How many times the check has run.\n",
                "# TYPE heartbeat_check_runs_total counter\n",
                "heartbeat_check_runs_total{probe=\"readiness\",check=\"db\"} 1\n",
                "heartbeat_check_runs_total{probe=\"liveness\",check=\"a\\\"b\"} 0\n",
                "# HELP heartbeat_check_failures_total How many times the check has failed.\n",
                "# TYPE heartbeat_check_failures_total counter\n",
                "heartbeat_check_failures_total{probe=\"readiness\",check=\"db\"} 1\n",
                "heartbeat_check_failures_total{probe=\"liveness\",check=\"a\\\"b\"} 0\n",
            )
        );
    }
}
