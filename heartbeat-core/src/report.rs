//! What a probe found: the result of running its checks once.

use std::{sync::Arc, time::Duration};

use serde_json::{Map, Value};

use crate::{outcome::Outcome, probe::Probe};

/// The result of running a probe's checks once.
///
/// Its status is the logical AND of its checks' statuses, so a probe with no
/// checks passes. Checks are listed in the order of their names.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    probe: Probe,
    status: bool,
    checks: Vec<CheckReport>,
}

impl Report {
    pub(crate) fn new(probe: Probe, checks: Vec<CheckReport>) -> Self {
        let status = checks.iter().all(CheckReport::status);
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

    /// Whether every check passed.
    pub fn status(&self) -> bool {
        self.status
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

    /// The names of the checks that failed.
    pub fn failing(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .filter(|check| !check.status())
            .map(CheckReport::name)
    }
}

/// The result of running one check once.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    name: Arc<str>,
    outcome: Outcome,
    duration: Duration,
}

impl CheckReport {
    pub(crate) fn new(name: Arc<str>, outcome: Outcome, duration: Duration) -> Self {
        Self {
            name,
            outcome,
            duration,
        }
    }

    /// The check's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the check passed.
    pub fn status(&self) -> bool {
        self.outcome.status()
    }

    /// What the check found, or why the heartbeat failed it (a time limit
    /// passed, or it panicked).
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// How long the check ran.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The duration in milliseconds, to the microsecond, as the body shows it.
    pub fn duration_ms(&self) -> f64 {
        (self.duration.as_micros() as f64) / 1000.0
    }

    pub(crate) fn data(&self) -> &Map<String, Value> {
        self.outcome.data()
    }
}
