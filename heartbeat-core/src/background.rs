//! Checks that run on a schedule of their own, on tasks that end with the
//! heartbeat.

use std::{
    pin::pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::future;
use tokio::{sync::watch, time::MissedTickBehavior};

use crate::{check::Check, metrics::Tally, policy::Tracker, probe::Probe, run};

/// One background check: what to run, how often, and, for each probe it
/// belongs to, where its results go.
pub(crate) struct Job {
    pub(crate) name: Arc<str>,
    pub(crate) timeout: Duration,
    pub(crate) interval: Duration,
    pub(crate) check: Arc<dyn Check>,
    pub(crate) sinks: Vec<Sink>,
}

/// Where a background check's results go for one of its probes.
pub(crate) struct Sink {
    pub(crate) probe: Probe,
    pub(crate) tally: Arc<Tally>,
    pub(crate) tracker: Arc<Tracker>,
}

/// A heartbeat's background checks, spawned once. Dropping this, which
/// happens when the last clone of the heartbeat is dropped, stops them.
pub(crate) struct Tasks {
    started: AtomicBool,
    waiting: Mutex<Vec<Job>>,
    /// Never sent on: its drop is the signal to stop.
    stop: watch::Sender<()>,
}

impl Tasks {
    pub(crate) fn new(jobs: Vec<Job>) -> Self {
        Self {
            started: AtomicBool::new(jobs.is_empty()),
            waiting: Mutex::new(jobs),
            stop: watch::Sender::new(()),
        }
    }

    /// Spawns every job on the current Tokio runtime, the first time it is
    /// called inside one; otherwise does nothing.
    pub(crate) fn start(&self) {
        if self.started.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for job in waiting.drain(..) {
            runtime.spawn(job.run(self.stop.subscribe()));
        }
        self.started.store(true, Ordering::Release);
    }
}

impl Job {
    /// Runs the check at once and then every interval, until `stop`'s
    /// sender is dropped, even in the middle of a run.
    async fn run(self, mut stop: watch::Receiver<()>) {
        let stopped = pin!(stop.changed());
        let work = pin!(async {
            let mut ticks = tokio::time::interval(self.interval);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let probe = self
                .sinks
                .first()
                .map_or(Probe::Readiness, |sink| sink.probe);
            loop {
                ticks.tick().await;
                let raw = run::run_check(probe, &self.name, self.timeout, &*self.check).await;
                for sink in &self.sinks {
                    sink.tally.record(&raw);
                    sink.tracker.observe(raw.clone());
                }
            }
        });
        // The work never ends on its own.
        future::select(stopped, work).await;
        tracing::debug!(target: "heartbeat", check = &*self.name, "background check stopped");
    }
}
