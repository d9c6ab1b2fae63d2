//! Running a probe's checks: concurrently, each under a time limit, with
//! panics caught, optionally cached and shared between concurrent requests.

use std::{
    any::Any,
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{Arc, Mutex, Weak},
    task::{Context, Poll},
    time::Duration,
};

use futures_util::{
    FutureExt,
    future::{self, BoxFuture, Shared},
};
// Tokio's clock, so that time-to-live and durations follow a paused clock in
// tests; outside tests it is the standard library's.
use tokio::{
    task::{Unconstrained, unconstrained},
    time::{Instant, Sleep},
};

use crate::{
    background::Tasks,
    check::Check,
    lifecycle::Lifecycle,
    outcome::Outcome,
    policy::Tracker,
    probe::Probe,
    registry::Origin,
    report::{CheckReport, Report},
};

/// A check as the heartbeat runs it: named, limited in time, with its
/// policies' state in this probe.
pub(crate) struct Entry {
    pub(crate) name: Arc<str>,
    pub(crate) origin: Origin,
    pub(crate) timeout: Duration,
    pub(crate) check: Arc<dyn Check>,
    pub(crate) tally: Arc<crate::metrics::Tally>,
    pub(crate) tracker: Arc<Tracker>,
}

/// Runs one check, turning a panic or an expired time limit into a failure.
pub(crate) async fn run_entry(probe: Probe, entry: &Entry) -> CheckReport {
    let report = run_check(probe, &entry.name, entry.timeout, &*entry.check).await;
    entry.tally.record(&report);
    report
}

/// Runs a check once under its time limit, catching its panics: what it
/// found, before any policy applies.
pub(crate) async fn run_check(
    probe: Probe,
    name: &Arc<str>,
    timeout: Duration,
    check: &dyn Check,
) -> CheckReport {
    let started = Instant::now();

    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| check.run())) {
        Err(panic) => panicked(&*panic),
        Ok(future) => {
            let guarded = AssertUnwindSafe(future).catch_unwind();
            match (Limited {
                future: guarded,
                // A limit too far to reach is no limit.
                deadline: started.checked_add(timeout),
                sleep: None,
            })
            .await
            {
                Some(Ok(outcome)) => outcome,
                Some(Err(panic)) => panicked(&*panic),
                None => Outcome::fail(format!("timed out after {}", DisplayDuration(timeout))),
            }
        }
    };

    let report = CheckReport::since(name.clone(), outcome, started);
    tracing::debug!(
        target: "heartbeat",
        probe = probe.name(),
        check = report.name(),
        status = report.status(),
        duration_ms = report.duration_ms(),
        "check ran"
    );
    report
}

/// A future under a time limit: `None` once `deadline` passes first, if
/// there is one. The timer is set only when the future is not ready at its
/// first poll, so a check that answers at once costs no timer.
///
/// The timer is polled outside tokio's cooperative budget: a check that
/// spends the whole budget on every poll would otherwise keep it from ever
/// firing.
struct Limited<F> {
    future: F,
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<Unconstrained<Sleep>>>>,
}

impl<F: Future + Unpin> Future for Limited<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(output) = Pin::new(&mut this.future).poll(cx) {
            return Poll::Ready(Some(output));
        }
        let Some(deadline) = this.deadline else {
            return Poll::Pending;
        };
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(unconstrained(tokio::time::sleep_until(deadline))));
        sleep.as_mut().poll(cx).map(|()| None)
    }
}

/// A check's report as its probe counts it: a background check's latest
/// result, or a new run, after the check's policies.
async fn counted(probe: Probe, entry: &Entry) -> CheckReport {
    if entry.tracker.is_background() {
        entry.tracker.latest()
    } else {
        entry.tracker.observe(run_entry(probe, entry).await)
    }
}

fn panicked(payload: &(dyn Any + Send)) -> Outcome {
    let reason = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
    match reason {
        Some(reason) => Outcome::fail(format!("check panicked: {reason}")),
        None => Outcome::fail("check panicked"),
    }
}

/// Shows a duration the way people write time limits: `250ms`, `2s`,
/// `1.5s`, `300us`.
pub(crate) struct DisplayDuration(pub(crate) Duration);

impl std::fmt::Display for DisplayDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos % 1_000_000_000 == 0 {
            write!(f, "{}s", nanos / 1_000_000_000)
        } else if nanos >= 1_000_000_000 {
            write!(f, "{}s", self.0.as_secs_f64())
        } else if nanos % 1_000_000 == 0 {
            write!(f, "{}ms", nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            write!(f, "{}us", nanos / 1_000)
        } else {
            write!(f, "{nanos}ns")
        }
    }
}

type Flight = Shared<BoxFuture<'static, Arc<Report>>>;

enum Slot {
    Empty,
    Running(Flight),
    Done {
        report: Arc<Report>,
        /// `None`: kept for the life of the process.
        expires: Option<Instant>,
    },
}

/// The last report of a probe, and the run in progress if there is one.
struct Memory {
    ttl: Option<Duration>,
    slot: Mutex<Slot>,
}

impl Memory {
    fn store(&self, probe: Probe, report: &Arc<Report>) {
        let expires = if probe == Probe::Startup && report.status() {
            None
        } else {
            match self.ttl {
                // A time to live too long to count is for life.
                Some(ttl) => Instant::now().checked_add(ttl),
                // Never reused: nothing to keep.
                None => return,
            }
        };
        *self
            .slot
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = Slot::Done {
            report: report.clone(),
            expires,
        };
    }
}

/// One probe's checks and how to run them.
pub(crate) struct ProbeRun {
    probe: Probe,
    entries: Arc<[Entry]>,
    memory: Arc<Memory>,
    lifecycle: Arc<Lifecycle>,
    tasks: Arc<Tasks>,
}

impl ProbeRun {
    /// `entries` must be sorted by name. With a `ttl`, reports are reused
    /// until it passes and concurrent callers share one run. `lifecycle`
    /// may fail a readiness report whatever its checks say; `tasks` are the
    /// heartbeat's background checks, started on the first report if they
    /// have not been.
    pub(crate) fn new(
        probe: Probe,
        entries: Vec<Entry>,
        ttl: Option<Duration>,
        lifecycle: Arc<Lifecycle>,
        tasks: Arc<Tasks>,
    ) -> Self {
        debug_assert!(entries.windows(2).all(|pair| pair[0].name < pair[1].name));
        Self {
            probe,
            entries: entries.into(),
            memory: Arc::new(Memory {
                ttl,
                slot: Mutex::new(Slot::Empty),
            }),
            lifecycle,
            tasks,
        }
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The probe's current report, as requests see it: the checks' report
    /// (see [`checks_report`](Self::checks_report)) with the instance's
    /// service state. Its status is the probe's state, which listeners
    /// hear of when it changes.
    pub(crate) async fn report(&self) -> Arc<Report> {
        self.tasks.start();
        let report = self.checks_report().await;
        let report = self.lifecycle.decorate(report, |_| true);
        self.lifecycle.note(&report);
        report
    }

    /// A report of only the checks whose names `keep` accepts, for one
    /// request: the kept report is neither used nor replaced, and the
    /// probe's state does not change. Each check's policies apply as on any
    /// run, and so does the service state, unless `keep` refuses its entry.
    pub(crate) async fn report_only(&self, keep: impl Fn(&str) -> bool) -> Arc<Report> {
        self.tasks.start();
        let entries = self.entries.iter().filter(|entry| keep(&entry.name));
        let report = run_checks(self.probe, entries).await;
        self.lifecycle.decorate(report, keep)
    }

    /// The checks' report: a kept one if it is still fresh, the run in
    /// progress if there is one and runs are shared, else a new run.
    async fn checks_report(&self) -> Arc<Report> {
        let shares_runs = self.memory.ttl.is_some();
        let flight = {
            let mut slot = self
                .memory
                .slot
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            match &*slot {
                Slot::Done { report, expires } if expires.is_none_or(|at| Instant::now() < at) => {
                    return report.clone();
                }
                Slot::Running(flight) => Some(flight.clone()),
                _ if !shares_runs => None,
                _ => {
                    let flight = self.flight();
                    *slot = Slot::Running(flight.clone());
                    Some(flight)
                }
            }
        };
        match flight {
            Some(flight) => flight.await,
            None => self.run_and_store().await,
        }
    }

    async fn run_and_store(&self) -> Arc<Report> {
        let report = run_checks(self.probe, self.entries.iter()).await;
        self.memory.store(self.probe, &report);
        report
    }

    /// A run that any number of callers can await; the first to poll it
    /// drives it, and it keeps going if that caller goes away.
    fn flight(&self) -> Flight {
        let probe = self.probe;
        let entries = self.entries.clone();
        let memory: Weak<Memory> = Arc::downgrade(&self.memory);
        async move {
            let report = run_checks(probe, entries.iter()).await;
            if let Some(memory) = memory.upgrade() {
                memory.store(probe, &report);
            }
            report
        }
        .boxed()
        .shared()
    }
}

async fn run_checks<'a>(probe: Probe, entries: impl IntoIterator<Item = &'a Entry>) -> Arc<Report> {
    let checks = future::join_all(entries.into_iter().map(|entry| counted(probe, entry))).await;
    Arc::new(Report::new(probe, checks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        let shown = |duration| DisplayDuration(duration).to_string();
        assert_eq!(shown(Duration::from_millis(250)), "250ms");
        assert_eq!(shown(Duration::from_secs(2)), "2s");
        assert_eq!(shown(Duration::from_millis(1500)), "1.5s");
        assert_eq!(shown(Duration::from_micros(300)), "300us");
        assert_eq!(shown(Duration::from_nanos(42)), "42ns");
    }

    #[test]
    fn panic_payloads_become_messages() {
        assert_eq!(
            panicked(&"pool poisoned").message(),
            Some("check panicked: pool poisoned")
        );
        assert_eq!(
            panicked(&String::from("index out of bounds")).message(),
            Some("check panicked: index out of bounds")
        );
        assert_eq!(panicked(&42_u8).message(), Some("check panicked"));
    }
}
