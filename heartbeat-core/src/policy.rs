//! How a check's runs become what its probe counts: whether its failure
//! fails the probe, whether it runs on a schedule of its own, and how many
//! runs in a row it takes to change its state.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

// Tokio's clock, so that a background result's age follows a paused clock
// in tests.
use tokio::time::Instant;

use crate::{
    error::Problem,
    heartbeat::Registration,
    lifecycle::{Listeners, SERVICE_CHECK},
    outcome::Outcome,
    probe::Probe,
    registry::Origin,
    report::{CheckReport, Streak},
    run::DisplayDuration,
};

/// A check's policies, as `#[probe(...)]` and [`Registration`] set them.
///
/// Not for direct use: set these with [`Registration::critical`],
/// [`Registration::background`], [`Registration::max_age`],
/// [`Registration::failure_threshold`] and
/// [`Registration::success_threshold`], or the attribute's options.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub critical: bool,
    pub interval: Option<Duration>,
    pub max_age: Option<Duration>,
    pub failure_threshold: u32,
    pub success_threshold: u32,
}

impl Policy {
    /// Critical, run on request, its state following every run.
    pub const DEFAULT: Policy = Policy {
        critical: true,
        interval: None,
        max_age: None,
        failure_threshold: 1,
        success_threshold: 1,
    };

    /// Whether runs in a row are counted before the state changes.
    fn damps(&self) -> bool {
        self.failure_threshold > 1 || self.success_threshold > 1
    }

    /// How old a background result may be before it counts as failing:
    /// as set, or three intervals, or the interval and the time limit if
    /// that is longer.
    pub(crate) fn max_age(&self, timeout: Duration) -> Option<Duration> {
        let interval = self.interval?;
        Some(self.max_age.unwrap_or_else(|| {
            interval
                .saturating_mul(3)
                .max(least_max_age(interval, timeout))
        }))
    }

    /// What is wrong with these policies for the check `name` with this
    /// time limit.
    pub(crate) fn problems(&self, name: &str, origin: &Origin, timeout: Duration) -> Vec<Problem> {
        let mut problems = Vec::new();
        let check = || name.to_owned();
        if name == SERVICE_CHECK {
            problems.push(Problem::ReservedName {
                name: check(),
                origin: origin.clone(),
            });
        }
        if self.interval.is_some_and(|interval| interval.is_zero()) {
            problems.push(Problem::ZeroInterval { check: check() });
        }
        for (threshold, value) in [
            ("failure_threshold", self.failure_threshold),
            ("success_threshold", self.success_threshold),
        ] {
            if value == 0 {
                problems.push(Problem::ZeroThreshold {
                    check: check(),
                    threshold,
                });
            }
        }
        match (self.interval, self.max_age) {
            (None, Some(_)) => problems.push(Problem::MaxAgeWithoutInterval { check: check() }),
            (Some(interval), Some(max_age)) if max_age < least_max_age(interval, timeout) => {
                problems.push(Problem::MaxAgeTooShort {
                    check: check(),
                    max_age,
                    least: least_max_age(interval, timeout),
                });
            }
            _ => {}
        }
        problems
    }
}

/// The shortest maximum age a background check can keep to: a run may
/// begin an interval after the last and take its whole time limit.
fn least_max_age(interval: Duration, timeout: Duration) -> Duration {
    interval.saturating_add(timeout)
}

impl Default for Policy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Registration {
    /// Whether the check's failure fails its probes (true unless set).
    ///
    /// A check that is not critical is run and shown as any other, its
    /// entry adding `"critical": false`; when it fails and every critical
    /// check passes, the probe passes, and its body adds `"degraded": true`
    /// ([`Report::degraded`](crate::Report::degraded)). Meant for what the
    /// service can do without, such as a cache or a recommendation engine.
    ///
    /// ```
    /// use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let heartbeat = Heartbeat::builder()
    ///     .register(
    ///         Registration::new("cache", check_fn(|| async { Outcome::fail("connection refused") }))
    ///             .probes([Probe::Readiness])
    ///             .critical(false),
    ///     )
    ///     .build()
    ///     .unwrap();
    ///
    /// let report = heartbeat.report(Probe::Readiness).await;
    /// assert!(report.status());
    /// assert!(report.degraded());
    /// # });
    /// ```
    pub fn critical(mut self, critical: bool) -> Self {
        self.policy.critical = critical;
        self
    }

    /// Runs the check every `interval` on a task of its own, instead of on
    /// requests; requests read its latest result, so a slow check costs a
    /// probe nothing.
    ///
    /// The task is spawned on the Tokio runtime that builds the heartbeat,
    /// or, when it is built outside one, on the runtime of the first request
    /// (or [`Heartbeat::report`](crate::Heartbeat::report)). It runs once at
    /// once, then every `interval`, and stops when the last clone of the
    /// heartbeat is dropped. A check of several probes runs once for all.
    ///
    /// Until its first run ends the check fails with the message
    /// `"not run yet"`; a result older than [`max_age`](Self::max_age)
    /// fails with a message saying how old it is.
    ///
    /// ```
    /// use std::time::Duration;
    /// use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
    ///
    /// let replication = Registration::new("replication", check_fn(|| async { Outcome::pass() }))
    ///     .probes([Probe::Readiness])
    ///     .timeout(Duration::from_secs(5))
    ///     .background(Duration::from_secs(30));
    /// let heartbeat = Heartbeat::builder().register(replication).build().unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn background(mut self, interval: Duration) -> Self {
        self.policy.interval = Some(interval);
        self
    }

    /// How old a background check's result may be before it counts as
    /// failing: three intervals unless set (or the interval and the time
    /// limit, if that is longer). It must be at least the interval and the
    /// time limit, or results would go stale before the next could replace
    /// them. Only for a check with [`background`](Self::background).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.policy.max_age = Some(max_age);
        self
    }

    /// How many runs in a row must fail before a passing check counts as
    /// failing (1 unless set: at once). While fewer have, the check still
    /// passes; its entry shows the latest run's message and
    /// `"consecutive_failures"`. Damps a check that fails now and then
    /// without meaning much, such as one over a flaky network.
    ///
    /// A check's first run counts as it is: there is no earlier state to
    /// keep.
    ///
    /// ```
    /// use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
    ///
    /// let upstream = Registration::new("upstream", check_fn(|| async { Outcome::pass() }))
    ///     .probes([Probe::Readiness])
    ///     .failure_threshold(3)
    ///     .success_threshold(2);
    /// let heartbeat = Heartbeat::builder().register(upstream).build().unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn failure_threshold(mut self, runs: u32) -> Self {
        self.policy.failure_threshold = runs;
        self
    }

    /// How many runs in a row must pass before a failing check counts as
    /// passing again (1 unless set: at once). While fewer have, the check
    /// still fails; its entry shows `"consecutive_successes"`.
    pub fn success_threshold(mut self, runs: u32) -> Self {
        self.policy.success_threshold = runs;
        self
    }
}

/// One check's state within one probe: its runs in a row, the state the
/// probe counts, the latest result of a background check, and what the
/// listeners were last told.
pub(crate) struct Tracker {
    probe: Probe,
    name: Arc<str>,
    policy: Policy,
    /// For a background check, how old its result may be.
    max_age: Option<Duration>,
    listeners: Listeners,
    track: Mutex<Track>,
}

#[derive(Default)]
struct Track {
    /// The state the probe counts; `None` before the first run.
    shown: Option<bool>,
    failures: u32,
    successes: u32,
    /// A background check's latest report, and when it was stored.
    latest: Option<(CheckReport, Instant)>,
    /// What the listeners were last told.
    told: Option<bool>,
}

impl Tracker {
    pub(crate) fn new(
        probe: Probe,
        name: Arc<str>,
        policy: Policy,
        timeout: Duration,
        listeners: Listeners,
    ) -> Self {
        Self {
            probe,
            name,
            max_age: policy.max_age(timeout),
            policy,
            listeners,
            track: Mutex::new(Track::default()),
        }
    }

    /// Whether the check runs in the background, requests reading its
    /// latest result.
    pub(crate) fn is_background(&self) -> bool {
        self.max_age.is_some()
    }

    fn track(&self) -> std::sync::MutexGuard<'_, Track> {
        self.track
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Counts a run and returns its report as the probe counts it; for a
    /// background check, keeps it for requests.
    pub(crate) fn observe(&self, raw: CheckReport) -> CheckReport {
        if !self.policy.damps() && !self.is_background() && self.listeners.is_empty() {
            // Nothing to count, keep or tell.
            return raw.critical_as(self.policy.critical);
        }
        let mut track = self.track();
        let report = track
            .damp(raw, &self.policy)
            .critical_as(self.policy.critical);
        if self.is_background() {
            track.latest = Some((report.clone(), Instant::now()));
        }
        self.tell(&mut track, &report);
        report
    }

    /// A background check's report for a request: its latest, or a failure
    /// when it has none yet or the latest is too old.
    pub(crate) fn latest(&self) -> CheckReport {
        let mut track = self.track();
        let max_age = self.max_age.unwrap_or(Duration::MAX);
        let report = match &track.latest {
            None => self.failed(Outcome::fail("not run yet")),
            Some((report, stored)) => {
                let age = stored.elapsed();
                if age <= max_age {
                    report.clone()
                } else {
                    // Whole milliseconds read better than a paused clock's
                    // nanoseconds.
                    let age = Duration::from_millis(age.as_millis() as u64);
                    self.failed(Outcome::fail(format!(
                        "latest result is {} old, older than the {} allowed",
                        DisplayDuration(age),
                        DisplayDuration(max_age)
                    )))
                }
            }
        };
        self.tell(&mut track, &report);
        report
    }

    fn failed(&self, outcome: Outcome) -> CheckReport {
        CheckReport::new(self.name.clone(), outcome, Duration::ZERO)
            .critical_as(self.policy.critical)
    }

    /// Tells the listeners when the state the probe counts changed. Called
    /// with the state locked, so that they hear of one check's changes in
    /// order.
    fn tell(&self, track: &mut Track, report: &CheckReport) {
        if track.told.replace(report.status()) != Some(report.status()) {
            self.listeners.check_changed(self.probe, report);
        }
    }
}

impl Track {
    /// Counts a run, and holds the earlier state while too few runs in a
    /// row disagree with it.
    fn damp(&mut self, raw: CheckReport, policy: &Policy) -> CheckReport {
        let passed = raw.status();
        if passed {
            self.successes = self.successes.saturating_add(1);
            self.failures = 0;
        } else {
            self.failures = self.failures.saturating_add(1);
            self.successes = 0;
        }
        if !policy.damps() {
            self.shown = Some(passed);
            return raw;
        }

        let shown = match self.shown {
            Some(true) if !passed => self.failures < policy.failure_threshold,
            Some(false) if passed => self.successes >= policy.success_threshold,
            _ => passed,
        };
        self.shown = Some(shown);
        let raw = if passed && !shown {
            raw.noting(format!(
                "recovering: passed {} of the {} runs in a row needed",
                self.successes, policy.success_threshold
            ))
        } else {
            raw
        };
        raw.held(
            shown,
            Streak {
                failures: self.failures,
                successes: self.successes,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(track: &mut Track, policy: &Policy, passed: bool) -> CheckReport {
        let outcome = if passed {
            Outcome::pass()
        } else {
            Outcome::fail("refused")
        };
        track.damp(
            CheckReport::new(Arc::from("db"), outcome, Duration::ZERO),
            policy,
        )
    }

    #[test]
    fn a_background_result_may_be_as_old_as_three_intervals_or_an_interval_and_a_run() {
        let every = |interval| Policy {
            interval: Some(interval),
            ..Policy::DEFAULT
        };
        let second = Duration::from_secs(1);
        assert_eq!(every(second).max_age(second), Some(3 * second));
        assert_eq!(every(second).max_age(5 * second), Some(6 * second));
        assert_eq!(every(second).max_age(Duration::MAX), Some(Duration::MAX));
        assert_eq!(every(Duration::MAX).max_age(second), Some(Duration::MAX));
        assert_eq!(Policy::DEFAULT.max_age(second), None);
    }

    #[test]
    fn thresholds_hold_the_state_until_enough_runs_in_a_row_disagree() {
        let policy = Policy {
            failure_threshold: 3,
            success_threshold: 2,
            ..Policy::DEFAULT
        };
        let mut track = Track::default();
        let shown: Vec<bool> = [true, false, false, true, false, false, false, true, true]
            .into_iter()
            .map(|passed| run(&mut track, &policy, passed).status())
            .collect();
        assert_eq!(
            shown,
            [true, true, true, true, true, true, false, false, true]
        );
    }

    #[test]
    fn the_first_run_counts_as_it_is() {
        let policy = Policy {
            failure_threshold: 3,
            ..Policy::DEFAULT
        };
        let mut track = Track::default();
        assert!(!run(&mut track, &policy, false).status());
    }

    #[test]
    fn a_recovering_check_says_so() {
        let policy = Policy {
            success_threshold: 3,
            ..Policy::DEFAULT
        };
        let mut track = Track::default();
        run(&mut track, &policy, false);
        let report = run(&mut track, &policy, true);
        assert!(!report.status());
        assert_eq!(report.consecutive_successes(), Some(1));
        assert_eq!(
            report.outcome().message(),
            Some("recovering: passed 1 of the 3 runs in a row needed")
        );
    }

    #[test]
    fn the_default_max_age_leaves_room_for_a_slow_run() {
        let policy = Policy {
            interval: Some(Duration::from_secs(10)),
            ..Policy::DEFAULT
        };
        assert_eq!(
            policy.max_age(Duration::from_millis(500)),
            Some(Duration::from_secs(30))
        );
        let quick = Policy {
            interval: Some(Duration::from_millis(100)),
            ..Policy::DEFAULT
        };
        assert_eq!(
            quick.max_age(Duration::from_millis(500)),
            Some(Duration::from_millis(600))
        );
        assert_eq!(Policy::DEFAULT.max_age(Duration::from_secs(1)), None);
    }
}
