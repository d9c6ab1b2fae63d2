//! The instance's place in its own life: in service, taken out of service
//! by the application, or shutting down; and who is told when a probe or a
//! check changes state.

use std::{
    fmt,
    future::Future,
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, Ordering},
    },
    time::Duration,
};

use tokio::time::Instant;

use crate::{
    Heartbeat, HeartbeatBuilder,
    outcome::Outcome,
    probe::Probe,
    report::{CheckReport, Report},
    run::DisplayDuration,
};

/// How long [`Heartbeat::shutdown`] keeps the instance serving, with
/// readiness failing, unless [`HeartbeatBuilder::drain`] says otherwise.
///
/// When Kubernetes deletes a pod, it sends SIGTERM and, at the same time,
/// starts removing the pod from the endpoints of its services; kube-proxy,
/// ingress controllers and cloud load balancers learn of the removal over
/// the next seconds and keep sending requests until they do. Five seconds
/// covers that propagation in a typical cluster and leaves most of the
/// default 30-second termination grace period for the requests in flight.
/// A load balancer that takes an instance out only after its readiness
/// probe fails needs the probe's period times its failure threshold
/// instead.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(5);

/// The name of the readiness entry that says why an instance takes no
/// traffic while it is out of service or shutting down. No check may take
/// this name.
///
/// ```json
/// { "status": false, "checks": { "in_service": { "status": false, "message": "shutting down" } } }
/// ```
pub const SERVICE_CHECK: &str = "in_service";

/// Whether the instance takes traffic, as far as the application decides:
/// see [`Heartbeat::service`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Service {
    /// Readiness is decided by its checks alone.
    InService,
    /// Taken out of service by [`Heartbeat::set_out_of_service`]: readiness
    /// fails, giving the reason.
    OutOfService {
        /// Why, as the application gave it.
        reason: String,
    },
    /// [`Heartbeat::shutdown`] was called: readiness fails for the rest of
    /// the process's life.
    ShuttingDown,
}

/// A change of state that listeners given to [`HeartbeatBuilder::on_change`]
/// are told of.
///
/// The first state known of each probe and check counts as a change, so a
/// listener learns every state without asking. The environ page is not a
/// probe and has no changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A probe started passing or failing.
    Probe {
        /// The probe.
        probe: Probe,
        /// Whether it passes now.
        status: bool,
    },
    /// A check of a probe started passing or failing, as the probe counts
    /// it (after thresholds, and counting a background check's missing or
    /// stale result as failing). The readiness entry [`SERVICE_CHECK`]
    /// changes this way when the instance leaves or returns to service, and
    /// when the reason for being out of service is replaced.
    Check {
        /// The probe the check belongs to; a check of several probes
        /// changes in each.
        probe: Probe,
        /// The check's name.
        name: String,
        /// Whether it passes now.
        status: bool,
        /// The message of its latest outcome, if it has one.
        message: Option<String>,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = |status| if status { "passing" } else { "failing" };
        match self {
            Change::Probe { probe, status } => write!(f, "{probe} is {}", state(*status)),
            Change::Check {
                probe,
                name,
                status,
                message,
            } => {
                write!(f, "{probe} check {name} is {}", state(*status))?;
                match message {
                    Some(message) => write!(f, ": {message}"),
                    None => Ok(()),
                }
            }
        }
    }
}

type Listener = Arc<dyn Fn(&Change) + Send + Sync>;

/// The listeners given to the builder.
#[derive(Default, Clone)]
pub(crate) struct Listeners(Vec<Listener>);

impl Listeners {
    /// Whether there is no listener to tell.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Tells every listener, each shielded from the others' panics.
    pub(crate) fn notify(&self, change: &Change) {
        for listener in &self.0 {
            let told = std::panic::catch_unwind(AssertUnwindSafe(|| listener(change)));
            if told.is_err() {
                tracing::error!(
                    target: "heartbeat",
                    change = %change,
                    "a listener given to HeartbeatBuilder::on_change panicked; the probes are unaffected"
                );
            }
        }
    }

    /// Tells of a check's new state, unless it is an environ contribution.
    pub(crate) fn check_changed(&self, probe: Probe, report: &CheckReport) {
        if probe == Probe::Environ || self.0.is_empty() {
            return;
        }
        self.notify(&Change::Check {
            probe,
            name: report.name().to_owned(),
            status: report.status(),
            message: report.outcome().message().map(str::to_owned),
        });
    }
}

/// What the builder gathers for the lifecycle.
pub(crate) struct Settings {
    drain: Duration,
    listeners: Listeners,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            drain: DEFAULT_DRAIN,
            listeners: Listeners::default(),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("drain", &self.drain)
            .field("listeners", &self.listeners.0.len())
            .finish()
    }
}

impl HeartbeatBuilder {
    /// Sets how long [`Heartbeat::shutdown`] waits, with readiness failing,
    /// before it resolves and the application stops its server
    /// ([`DEFAULT_DRAIN`], five seconds, unless set; see there why). Zero
    /// resolves at once; `Duration::MAX` never does.
    ///
    /// ```
    /// use std::time::Duration;
    /// use heartbeat_core::Heartbeat;
    ///
    /// let heartbeat = Heartbeat::builder().drain(Duration::from_secs(15)).build().unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn drain(mut self, delay: Duration) -> Self {
        self.lifecycle.drain = delay;
        self
    }

    /// Calls `listener` whenever a probe or one of its checks starts passing
    /// or failing (see [`Change`]); several listeners are called in the order
    /// they were given.
    ///
    /// A listener is called on the task that noticed the change (a request,
    /// a background check, the call that took the instance out of service),
    /// so it must return quickly and never block: to do slow work, send the
    /// change to a channel and do the work elsewhere. A listener that panics
    /// is logged as an error; the probes and the other listeners are
    /// unaffected.
    ///
    /// ```
    /// use heartbeat_core::{Change, Heartbeat};
    ///
    /// let (changes, mut received) = tokio::sync::mpsc::unbounded_channel();
    /// let heartbeat = Heartbeat::builder()
    ///     .on_change(move |change: &Change| {
    ///         let _ = changes.send(change.clone());
    ///     })
    ///     .build()
    ///     .unwrap();
    ///
    /// heartbeat.set_out_of_service("maintenance");
    /// assert!(received.try_recv().is_ok());
    /// ```
    pub fn on_change(mut self, listener: impl Fn(&Change) + Send + Sync + 'static) -> Self {
        self.lifecycle.listeners.0.push(Arc::new(listener));
        self
    }
}

// A probe's last known status; 0 before it is known.
const PASSING: u8 = 1;
const FAILING: u8 = 2;

/// The service state, every probe's last known status, and the listeners:
/// shared by every clone of a heartbeat and by its probes' runs.
pub(crate) struct Lifecycle {
    drain: Duration,
    listeners: Listeners,
    service: Mutex<State>,
    probes: [AtomicU8; 4],
}

enum State {
    InService,
    OutOfService(String),
    /// For good. It holds when the drain delay ends, or `None` for a delay
    /// too long to count, which never ends.
    ShuttingDown(Option<Instant>),
}

impl Lifecycle {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            drain: settings.drain,
            listeners: settings.listeners,
            service: Mutex::new(State::InService),
            probes: Default::default(),
        }
    }

    pub(crate) fn listeners(&self) -> &Listeners {
        &self.listeners
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.service
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Why readiness fails whatever its checks say, if it does.
    fn withheld_because(&self) -> Option<String> {
        match &*self.state() {
            State::InService => None,
            State::OutOfService(reason) => Some(format!("out of service: {reason}")),
            State::ShuttingDown(_) => Some("shutting down".to_owned()),
        }
    }

    /// `report` as requests see it: a readiness report gains the
    /// [`SERVICE_CHECK`] entry while the instance is out of service, if
    /// `keep` keeps that name. A kept report is never changed, so the entry
    /// shows from the moment the service state changes, whatever is cached.
    pub(crate) fn decorate(&self, report: Arc<Report>, keep: impl Fn(&str) -> bool) -> Arc<Report> {
        if report.probe() != Probe::Readiness || !keep(SERVICE_CHECK) {
            return report;
        }
        match self.withheld_because() {
            None => report,
            Some(message) => Arc::new(report.with_check(service_entry(Outcome::fail(message)))),
        }
    }

    /// Records a probe's status after a full run, logging and telling the
    /// listeners when it changed.
    pub(crate) fn note(&self, report: &Report) {
        let probe = report.probe();
        if probe == Probe::Environ {
            return;
        }
        let status = report.status();
        // A report begun before the instance left service must not mark
        // readiness as passing again.
        if status && probe == Probe::Readiness && self.withheld_because().is_some() {
            return;
        }
        let before = self.swap(probe, status);
        if before == encode(status) {
            return;
        }

        if !status {
            let failing: Vec<&str> = report.failing().collect();
            tracing::warn!(target: "heartbeat", probe = probe.name(), failing = ?failing, "probe is failing");
        } else if before == FAILING {
            tracing::info!(target: "heartbeat", probe = probe.name(), "probe recovered");
        }
        self.listeners.notify(&Change::Probe { probe, status });
    }

    /// Sets a probe's last known status and returns the one before.
    fn swap(&self, probe: Probe, status: bool) -> u8 {
        self.probes[probe.index()].swap(encode(status), Ordering::AcqRel)
    }

    /// Moves to `next` unless shutting down, and tells of it.
    fn set(&self, next: State) {
        let message = {
            let mut state = self.state();
            if matches!(*state, State::ShuttingDown(_)) {
                return;
            }
            let message = match &next {
                State::InService => None,
                State::OutOfService(reason) => Some(format!("out of service: {reason}")),
                State::ShuttingDown(_) => Some("shutting down".to_owned()),
            };
            let unchanged = match (&*state, &next) {
                (State::InService, State::InService) => true,
                (State::OutOfService(a), State::OutOfService(b)) => a == b,
                _ => false,
            };
            *state = next;
            if unchanged {
                return;
            }
            message
        };
        match &message {
            Some(message) => tracing::info!(target: "heartbeat", "{message}: readiness fails"),
            None => tracing::info!(target: "heartbeat", "back in service"),
        }
        self.told(message);
    }

    /// Tells the listeners of the [`SERVICE_CHECK`] entry's new state, and
    /// of readiness failing when the instance left service.
    fn told(&self, message: Option<String>) {
        let status = message.is_none();
        let outcome = match message {
            Some(message) => Outcome::fail(message),
            None => Outcome::pass(),
        };
        self.listeners
            .check_changed(Probe::Readiness, &service_entry(outcome));
        if !status && self.swap(Probe::Readiness, false) != FAILING {
            self.listeners.notify(&Change::Probe {
                probe: Probe::Readiness,
                status: false,
            });
        }
    }

    /// Starts shutting down, if not yet, and returns when the drain ends.
    fn shut_down(&self) -> Option<Instant> {
        let mut state = self.state();
        if let State::ShuttingDown(until) = *state {
            return until;
        }
        let until = Instant::now().checked_add(self.drain);
        *state = State::ShuttingDown(until);
        drop(state);

        tracing::info!(
            target: "heartbeat",
            drain = %DisplayDuration(self.drain),
            "shutting down: readiness fails while requests drain"
        );
        self.told(Some("shutting down".to_owned()));
        until
    }

    fn service(&self) -> Service {
        match &*self.state() {
            State::InService => Service::InService,
            State::OutOfService(reason) => Service::OutOfService {
                reason: reason.clone(),
            },
            State::ShuttingDown(_) => Service::ShuttingDown,
        }
    }
}

fn encode(status: bool) -> u8 {
    if status { PASSING } else { FAILING }
}

fn service_entry(outcome: Outcome) -> CheckReport {
    CheckReport::new(Arc::from(SERVICE_CHECK), outcome, Duration::ZERO)
}

impl Heartbeat {
    /// Starts a graceful shutdown, and returns a future that resolves when
    /// the drain delay ([`HeartbeatBuilder::drain`]) has passed: then stop
    /// the server.
    ///
    /// From the moment this is called, before the future is awaited,
    /// readiness fails with the entry [`SERVICE_CHECK`] saying
    /// `"shutting down"`, whatever its checks and any kept report say, so
    /// that load balancers stop sending requests; liveness and the other
    /// probes are unaffected, so that nothing restarts the instance while it
    /// drains. This cannot be undone. Calling it again, from any clone,
    /// returns a future that resolves at the same moment.
    ///
    /// The future needs a Tokio runtime with its timer enabled.
    ///
    /// ```rust,standalone_crate
    /// use std::time::Duration;
    /// use heartbeat_core::{Heartbeat, Probe};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
    /// let heartbeat = Heartbeat::builder().drain(Duration::from_secs(5)).build().unwrap();
    ///
    /// // On SIGTERM:
    /// let drained = heartbeat.shutdown();
    /// let report = heartbeat.report(Probe::Readiness).await;
    /// assert!(!report.status());
    /// assert!(heartbeat.report(Probe::Liveness).await.status());
    ///
    /// drained.await;
    /// // Now stop the server; the requests in flight are answered.
    /// # });
    /// ```
    pub fn shutdown(&self) -> impl Future<Output = ()> + Send + 'static {
        let until = self.lifecycle().shut_down();
        async move {
            match until {
                Some(until) => tokio::time::sleep_until(until).await,
                None => std::future::pending().await,
            }
        }
    }

    /// Takes the instance out of service: readiness fails, its entry
    /// [`SERVICE_CHECK`] saying `"out of service: <reason>"`, until
    /// [`set_in_service`](Self::set_in_service). Liveness is unaffected. A
    /// later call replaces the reason; during a shutdown this does nothing.
    ///
    /// ```
    /// use heartbeat_core::{Heartbeat, Service};
    ///
    /// let heartbeat = Heartbeat::builder().build().unwrap();
    /// heartbeat.set_out_of_service("maintenance");
    /// assert_eq!(heartbeat.service(), Service::OutOfService { reason: "maintenance".into() });
    /// heartbeat.set_in_service();
    /// assert_eq!(heartbeat.service(), Service::InService);
    /// ```
    pub fn set_out_of_service(&self, reason: impl Into<String>) {
        self.lifecycle().set(State::OutOfService(reason.into()));
    }

    /// Returns the instance to service after
    /// [`set_out_of_service`](Self::set_out_of_service): readiness is decided
    /// by its checks again. During a shutdown this does nothing: a shutdown
    /// cannot be undone.
    pub fn set_in_service(&self) {
        self.lifecycle().set(State::InService);
    }

    /// Whether the instance is in service, out of service, or shutting down.
    pub fn service(&self) -> Service {
        self.lifecycle().service()
    }
}
