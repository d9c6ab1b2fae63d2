//! What a probe found: the result of running its checks once.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use serde_json::{Map, Value};
// Tokio's clock, which follows a paused clock in tests, as the durations do.
use tokio::time::Instant;

use crate::{outcome::Outcome, probe::Probe};

/// The result of running a probe's checks once.
///
/// Its status is the logical AND of its critical checks' statuses, so a
/// probe with no checks passes; every check is critical unless registered
/// with [`Registration::critical`](crate::Registration::critical)`(false)`.
/// Checks are listed in the order of their names.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    probe: Probe,
    status: bool,
    checks: Vec<CheckReport>,
}

impl Report {
    pub(crate) fn new(probe: Probe, checks: Vec<CheckReport>) -> Self {
        let status = checks
            .iter()
            .all(|check| check.status() || !check.critical());
        Self {
            probe,
            status,
            checks,
        }
    }

    /// The probe that was run.
    pub fn probe(&self) -> Probe {
        self.probe
    }

    /// Whether every critical check passed.
    pub fn status(&self) -> bool {
        self.status
    }

    /// Whether the probe passes although a check that is not critical
    /// fails: the service works, with less than all it can do.
    pub fn degraded(&self) -> bool {
        self.status && self.checks.iter().any(|check| !check.status())
    }

    /// Each check's result, in the order of their names.
    pub fn checks(&self) -> &[CheckReport] {
        &self.checks
    }

    /// The result of the check named `name`.
    pub fn check(&self, name: &str) -> Option<&CheckReport> {
        self.checks
            .binary_search_by(|check| check.name().cmp(name))
            .ok()
            .map(|index| &self.checks[index])
    }

    /// The names of the checks that failed, critical or not.
    pub fn failing(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .filter(|check| !check.status())
            .map(CheckReport::name)
    }

    /// The same report with `check` among its checks, in its place by name.
    pub(crate) fn with_check(&self, check: CheckReport) -> Self {
        let mut checks = self.checks.clone();
        let at = checks.partition_point(|known| known.name() < check.name());
        checks.insert(at, check);
        Self::new(self.probe, checks)
    }
}

/// The result of running one check once.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    name: Arc<str>,
    outcome: Outcome,
    duration: Duration,
    /// When the run ended, by the monotonic clock: the system's clock is
    /// read only when a format shows the time.
    ended: Instant,
    /// What the probe is told: the outcome's status, unless a threshold
    /// holds the earlier state.
    status: bool,
    critical: bool,
    streak: Option<Streak>,
}

/// How many runs in a row of a check with thresholds failed or passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Streak {
    pub(crate) failures: u32,
    pub(crate) successes: u32,
}

impl CheckReport {
    /// The report of a run that took `duration` and has just ended.
    pub(crate) fn new(name: Arc<str>, outcome: Outcome, duration: Duration) -> Self {
        Self::ended(name, outcome, duration, Instant::now())
    }

    /// The report of a run that began at `started` and has just ended: one
    /// reading of the clock.
    pub(crate) fn since(name: Arc<str>, outcome: Outcome, started: Instant) -> Self {
        let ended = Instant::now();
        Self::ended(
            name,
            outcome,
            ended.saturating_duration_since(started),
            ended,
        )
    }

    fn ended(name: Arc<str>, outcome: Outcome, duration: Duration, ended: Instant) -> Self {
        Self {
            name,
            duration,
            ended,
            status: outcome.status(),
            outcome,
            critical: true,
            streak: None,
        }
    }

    /// The same report, told to the probe as `status` after `streak`.
    pub(crate) fn held(mut self, status: bool, streak: Streak) -> Self {
        self.status = status;
        self.streak = Some(streak);
        self
    }

    /// The same report, its outcome given `message` unless it has one.
    pub(crate) fn noting(mut self, message: String) -> Self {
        if self.outcome.message().is_none() {
            let outcome = std::mem::replace(&mut self.outcome, Outcome::pass());
            self.outcome = outcome.with("message", message);
        }
        self
    }

    /// The same report, of a check whose failure fails its probe or not.
    pub(crate) fn critical_as(mut self, critical: bool) -> Self {
        self.critical = critical;
        self
    }

    /// The check's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the check passes, as its probe counts it.
    ///
    /// This is the status of its latest [`outcome`](Self::outcome), unless
    /// the check has thresholds
    /// ([`Registration::failure_threshold`](crate::Registration::failure_threshold),
    /// [`Registration::success_threshold`](crate::Registration::success_threshold))
    /// and too few runs in a row have disagreed with its earlier state yet.
    pub fn status(&self) -> bool {
        self.status
    }

    /// Whether the check's failure fails its probe; true unless it was
    /// registered with
    /// [`Registration::critical`](crate::Registration::critical)`(false)`.
    pub fn critical(&self) -> bool {
        self.critical
    }

    /// What the check found on its latest run, or why the heartbeat failed
    /// it (a time limit passed, it panicked, a background check's result is
    /// missing or too old).
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// How long the check ran.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// When the check started, by the system's clock as it reads now.
    pub fn ran_at(&self) -> SystemTime {
        let ago = self.ended.elapsed() + self.duration;
        let now = SystemTime::now();
        now.checked_sub(ago).unwrap_or(now)
    }

    /// The duration in milliseconds, to the microsecond, as the body shows it.
    pub fn duration_ms(&self) -> f64 {
        (self.duration.as_micros() as f64) / 1000.0
    }

    /// How many of the latest runs in a row failed, for a check with
    /// thresholds; `None` for a check without.
    pub fn consecutive_failures(&self) -> Option<u32> {
        self.streak.map(|streak| streak.failures)
    }

    /// How many of the latest runs in a row passed, for a check with
    /// thresholds; `None` for a check without.
    pub fn consecutive_successes(&self) -> Option<u32> {
        self.streak.map(|streak| streak.successes)
    }

    pub(crate) fn data(&self) -> &Map<String, Value> {
        self.outcome.data()
    }

    /// The keys the heartbeat adds to the check's entry beyond `status` and
    /// `duration_ms`, with their values: `critical` for a check that is
    /// not, and the count of runs in a row that disagree with the shown
    /// state for a check with thresholds.
    pub(crate) fn policy_keys(&self) -> Vec<(&'static str, Value)> {
        let mut keys = Vec::new();
        if !self.critical {
            keys.push(("critical", Value::from(false)));
        }
        if let Some(streak) = self.streak {
            if streak.failures > 0 {
                keys.push(("consecutive_failures", Value::from(streak.failures)));
            }
            if streak.successes > 0 && !self.status {
                keys.push(("consecutive_successes", Value::from(streak.successes)));
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, outcome: Outcome) -> CheckReport {
        CheckReport::new(Arc::from(name), outcome, Duration::ZERO)
    }

    #[test]
    fn a_run_began_its_duration_before_it_ended() {
        let minute = Duration::from_secs(60);
        // The two clocks are read one after the other, so the answer may be
        // off by the time between two readings.
        let slack = Duration::from_millis(1);
        let before = SystemTime::now();
        let report = CheckReport::new(Arc::from("db"), Outcome::pass(), minute);
        let after = SystemTime::now();
        let ran_at = report.ran_at();
        assert!(ran_at >= before - minute - slack, "{ran_at:?} {before:?}");
        assert!(ran_at <= after - minute + slack, "{ran_at:?} {after:?}");
    }

    #[test]
    fn a_failing_check_that_is_not_critical_degrades_the_probe() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("cache", Outcome::fail("evicting")).critical_as(false),
                check("database", Outcome::pass()),
            ],
        );
        assert!(report.status());
        assert!(report.degraded());
        assert_eq!(report.failing().collect::<Vec<_>>(), ["cache"]);

        let failing = report.with_check(check("queue", Outcome::fail("full")));
        assert!(!failing.status());
        assert!(
            !failing.degraded(),
            "a failing probe is failing, not degraded"
        );
    }

    #[test]
    fn an_added_check_takes_its_place_by_name() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("alpha", Outcome::pass()),
                check("omega", Outcome::pass()),
            ],
        );
        let report = report.with_check(check("mid", Outcome::fail("no")));
        let names: Vec<&str> = report.checks().iter().map(CheckReport::name).collect();
        assert_eq!(names, ["alpha", "mid", "omega"]);
        assert!(report.check("mid").is_some());
        assert!(!report.status());
    }

    #[test]
    fn a_held_state_keeps_the_latest_message() {
        let streak = Streak {
            failures: 2,
            successes: 0,
        };
        let held = check("database", Outcome::fail("refused")).held(true, streak);
        assert!(held.status());
        assert!(!held.outcome().status());
        assert_eq!(held.outcome().message(), Some("refused"));
        assert_eq!(held.consecutive_failures(), Some(2));
        assert_eq!(
            held.policy_keys(),
            [("consecutive_failures", Value::from(2))]
        );
    }
}
