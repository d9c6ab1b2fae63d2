//! The heartbeat: every probe's checks, built once and shared by requests.

use std::{collections::HashSet, fmt, sync::Arc, sync::Mutex, time::Duration};

use serde_json::{Map, Value};

use crate::{
    access::{Access, Details, WithheldReasons},
    background::{self, Tasks},
    check::Check,
    environ::{self, BuildInfo},
    error::{BuildError, Problem},
    lifecycle::{self, Lifecycle},
    policy::{Policy, Tracker},
    probe::Probe,
    registry::{self, Origin},
    report::Report,
    run::{Entry, ProbeRun},
    state::State,
};

/// How long a check may run when neither it nor the builder says otherwise.
///
/// Half of Kubernetes' default probe timeout of one second, so that a probe
/// whose checks all run out of time still answers before the kubelet gives up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// Where the endpoints are served unless the builder says otherwise.
pub const DEFAULT_PREFIX: &str = "/.well-known/heartbeat";

/// A service's health endpoints: its checks, grouped by probe.
///
/// Build one at startup with [`Heartbeat::builder`] and hand it to an adapter
/// (`heartbeat-axum`, `heartbeat-actix`, `heartbeat-warp`), or answer
/// requests yourself with [`Heartbeat::handle`]. Cloning is cheap: clones
/// share the checks and any kept reports.
///
/// ```rust,standalone_crate
/// use heartbeat_core::{Heartbeat, Outcome, Probe, check_fn};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let heartbeat = Heartbeat::builder()
///     .readiness("queue", check_fn(|| async { Outcome::pass().with("depth", 3) }))
///     .build()
///     .expect("a valid configuration");
///
/// let report = heartbeat.report(Probe::Readiness).await;
/// assert!(report.status());
/// # });
/// ```
#[derive(Clone)]
pub struct Heartbeat {
    inner: Arc<Inner>,
}

struct Inner {
    prefix: String,
    runs: [ProbeRun; 4],
    environ: Map<String, Value>,
    collisions_logged: Mutex<HashSet<String>>,
    access: [Access; 4],
    details: [Details; 4],
    withheld: WithheldReasons,
    metrics: bool,
    lifecycle: Arc<Lifecycle>,
}

impl Heartbeat {
    /// Starts building a heartbeat. Checks declared with `#[probe(...)]`
    /// are included unless [`HeartbeatBuilder::without_declared`] is called.
    pub fn builder() -> HeartbeatBuilder {
        HeartbeatBuilder::new()
    }

    /// The path under which the endpoints are served, without a trailing
    /// slash (empty when they are served at the root).
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The names of a probe's checks, in the order of the body.
    pub fn check_names(&self, probe: Probe) -> impl Iterator<Item = &str> {
        self.inner.runs[probe.index()]
            .entries()
            .iter()
            .map(|entry| &*entry.name)
    }

    /// A probe's checks, in the order of their names.
    pub(crate) fn entries(&self, probe: Probe) -> &[Entry] {
        self.inner.runs[probe.index()].entries()
    }

    /// A probe's checks and how they run.
    pub(crate) fn probe_run(&self, probe: Probe) -> &ProbeRun {
        &self.inner.runs[probe.index()]
    }

    /// The service state and the listeners.
    pub(crate) fn lifecycle(&self) -> &Lifecycle {
        &self.inner.lifecycle
    }

    /// Whether the `metrics` endpoint is served.
    pub(crate) fn serves_metrics(&self) -> bool {
        self.inner.metrics
    }

    /// Runs a probe's checks, or reuses a kept report, and returns the result.
    pub async fn report(&self, probe: Probe) -> Arc<Report> {
        self.inner.runs[probe.index()].report().await
    }

    /// The environ page's content: the base (`libraries`, `rust`, `rustc`,
    /// `target`, `profile`, what [`HeartbeatBuilder::build_info`] recorded,
    /// then the values of [`HeartbeatBuilder::environ_value`], which replace
    /// those), then each contribution's data in the order of the
    /// contributions' names. A key that is already taken keeps its first
    /// value; the later one is dropped and logged once. `status` is the AND
    /// of the contributions' statuses and cannot be overwritten.
    ///
    /// This ignores [`HeartbeatBuilder::access`] and
    /// [`HeartbeatBuilder::details`], which apply to requests.
    pub async fn environ(&self) -> (bool, Map<String, Value>) {
        let report = self.report(Probe::Environ).await;
        let mut merged = self.inner.environ.clone();
        for contribution in report.checks() {
            for (key, value) in contribution.outcome().data() {
                if key == "status" || merged.contains_key(key) {
                    self.log_collision(contribution.name(), key);
                    continue;
                }
                merged.insert(key.clone(), value.clone());
            }
        }
        (report.status(), merged)
    }

    /// Who may reach a probe's endpoint.
    pub(crate) fn access(&self, probe: Probe) -> &Access {
        &self.inner.access[probe.index()]
    }

    /// How much of a probe's findings a request sees.
    pub(crate) fn details(&self, probe: Probe) -> &Details {
        &self.inner.details[probe.index()]
    }

    /// Logs the reasons withheld from a response.
    pub(crate) fn withheld(&self) -> &WithheldReasons {
        &self.inner.withheld
    }

    fn log_collision(&self, contribution: &str, key: &str) {
        let mut logged = self
            .inner
            .collisions_logged
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if logged.insert(format!("{contribution}\0{key}")) {
            tracing::warn!(
                target: "heartbeat",
                contribution,
                key,
                "environ contribution's key is already taken; its value is not shown"
            );
        }
    }
}

impl fmt::Debug for Heartbeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Heartbeat");
        debug.field("prefix", &self.inner.prefix);
        for probe in Probe::ALL {
            let names: Vec<&str> = self.check_names(probe).collect();
            debug.field(probe.name(), &names);
        }
        debug.finish()
    }
}

/// A check registered at run time: a name, the probes it belongs to, a time
/// limit, and the check itself.
///
/// ```rust,standalone_crate
/// use std::time::Duration;
/// use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
///
/// let disk = Registration::new("disk", check_fn(|| async { Outcome::pass() }))
///     .probes([Probe::Readiness, Probe::Liveness])
///     .timeout(Duration::from_millis(100));
/// let heartbeat = Heartbeat::builder().register(disk).build().unwrap();
/// assert_eq!(heartbeat.check_names(Probe::Liveness).collect::<Vec<_>>(), ["disk"]);
/// ```
#[must_use]
pub struct Registration {
    name: String,
    probes: Vec<Probe>,
    timeout: Option<Duration>,
    check: Arc<dyn Check>,
    pub(crate) policy: Policy,
}

impl Registration {
    /// A check named `name`, in no probe yet: add probes with
    /// [`probes`](Self::probes).
    pub fn new(name: impl Into<String>, check: impl Check) -> Self {
        Self {
            name: name.into(),
            probes: Vec::new(),
            timeout: None,
            check: Arc::new(check),
            policy: Policy::DEFAULT,
        }
    }

    /// Adds the check to these probes.
    pub fn probes(mut self, probes: impl IntoIterator<Item = Probe>) -> Self {
        self.probes.extend(probes);
        self
    }

    /// Sets the check's time limit, instead of the builder's default.
    /// `Duration::MAX` means no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("name", &self.name)
            .field("probes", &self.probes)
            .field("timeout", &self.timeout)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Heartbeat`]; see [`Heartbeat::builder`].
#[must_use]
pub struct HeartbeatBuilder {
    state: State,
    registrations: Vec<Registration>,
    default_timeout: Duration,
    ttl: [Option<Duration>; 4],
    prefix: String,
    declared: bool,
    environ: Map<String, Value>,
    build_info: Option<BuildInfo>,
    access: [Access; 4],
    details: [Details; 4],
    metrics: bool,
    pub(crate) lifecycle: lifecycle::Settings,
}

impl HeartbeatBuilder {
    fn new() -> Self {
        Self {
            state: State::default(),
            registrations: Vec::new(),
            default_timeout: DEFAULT_TIMEOUT,
            ttl: [None; 4],
            prefix: DEFAULT_PREFIX.to_owned(),
            declared: true,
            environ: Map::new(),
            build_info: None,
            access: Default::default(),
            details: Default::default(),
            metrics: false,
            lifecycle: Default::default(),
        }
    }

    /// Gives a value to the checks declared with `#[probe(...)]`: a parameter
    /// `&T` (or `T`, cloned for each run) receives it. One value per type;
    /// a later value of the same type replaces the earlier.
    ///
    /// ```rust,standalone_crate
    /// use heartbeat_core::{Heartbeat, probe};
    ///
    /// #[derive(Clone)]
    /// struct Pool;
    ///
    /// impl Pool {
    ///     async fn ping(&self) -> Result<(), std::io::Error> { Ok(()) }
    /// }
    ///
    /// #[probe(readiness)]
    /// async fn pool(pool: &Pool) -> Result<(), std::io::Error> {
    ///     pool.ping().await
    /// }
    ///
    /// let heartbeat = Heartbeat::builder().state(Pool).build().unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Adds a readiness check.
    pub fn readiness(self, name: impl Into<String>, check: impl Check) -> Self {
        self.register(Registration::new(name, check).probes([Probe::Readiness]))
    }

    /// Adds a liveness check.
    pub fn liveness(self, name: impl Into<String>, check: impl Check) -> Self {
        self.register(Registration::new(name, check).probes([Probe::Liveness]))
    }

    /// Adds a startup check.
    pub fn startup(self, name: impl Into<String>, check: impl Check) -> Self {
        self.register(Registration::new(name, check).probes([Probe::Startup]))
    }

    /// Adds an environ contribution: its status is ANDed into the page's
    /// `status`, and its data merged into the page.
    pub fn environ(self, name: impl Into<String>, contribution: impl Check) -> Self {
        self.register(Registration::new(name, contribution).probes([Probe::Environ]))
    }

    /// Adds a check to the probes its registration names.
    pub fn register(mut self, registration: Registration) -> Self {
        self.registrations.push(registration);
        self
    }

    /// Sets the time limit of every check that does not set its own
    /// ([`DEFAULT_TIMEOUT`] unless set). `Duration::MAX` means no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// Keeps a probe's report for `ttl` and lets requests that arrive while
    /// its checks run share that run, so a storm of requests costs one run
    /// per `ttl`. A `ttl` of zero keeps nothing but still shares runs;
    /// `Duration::MAX` keeps the first report for the life of the process.
    ///
    /// Without this, every request runs the probe's checks.
    pub fn cache(mut self, probe: Probe, ttl: Duration) -> Self {
        self.ttl[probe.index()] = Some(ttl);
        self
    }

    /// Serves the endpoints under `prefix` instead of [`DEFAULT_PREFIX`].
    /// A trailing slash is ignored; `/` serves them at the root.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Leaves out the checks declared with `#[probe(...)]`: only those
    /// registered with this builder run.
    pub fn without_declared(mut self) -> Self {
        self.declared = false;
        self
    }

    /// Sets a key of the environ page, ahead of every contribution. It
    /// replaces a key the page shows by itself, such as `libraries`.
    pub fn environ_value(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.environ.insert(key.into(), value.into());
        self
    }

    /// Shows on the environ page what `heartbeat-build` recorded when the
    /// application was built: `libraries`, `package` and `revision`. Pass
    /// [`build_info!()`](crate::build_info), in the package whose `build.rs`
    /// calls `heartbeat_build::environ()`.
    ///
    /// ```rust,ignore
    /// let heartbeat = Heartbeat::builder()
    ///     .build_info(heartbeat_core::build_info!())
    ///     .build()?;
    /// ```
    pub fn build_info(mut self, info: BuildInfo) -> Self {
        self.build_info = Some(info);
        self
    }

    /// Decides who may reach a probe's endpoint ([`Access::Public`] unless
    /// set): it can be turned off, or kept for the requests an application's
    /// rule authorizes. Meant for the environ page, which tells more about
    /// the service than a stranger needs.
    ///
    /// ```
    /// use heartbeat_core::{Access, Authorize, Heartbeat, Probe};
    ///
    /// let token = std::env::var("HEARTBEAT_TOKEN").unwrap_or_default();
    /// let heartbeat = Heartbeat::builder()
    ///     .access(Probe::Environ, Access::Authorized(Authorize::bearer(token)))
    ///     .build()
    ///     .unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn access(mut self, probe: Probe, access: Access) -> Self {
        self.access[probe.index()] = access;
        self
    }

    /// Decides how much of a probe's findings a request sees
    /// ([`Details::Full`] unless set). The status code never changes with it.
    ///
    /// ```
    /// use heartbeat_core::{Details, Heartbeat, Probe};
    ///
    /// let heartbeat = Heartbeat::builder()
    ///     .details(Probe::Readiness, Details::StatusOnly)
    ///     .build()
    ///     .unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn details(mut self, probe: Probe, details: Details) -> Self {
        self.details[probe.index()] = details;
        self
    }

    /// Serves `metrics` under the prefix: every check's latest result and
    /// how often it ran and failed, for Prometheus to scrape (see
    /// [`Heartbeat::metrics`]). Off unless set: the path then answers 404.
    ///
    /// ```
    /// use heartbeat_core::Heartbeat;
    ///
    /// let heartbeat = Heartbeat::builder().metrics(true).build().unwrap();
    /// # let _ = heartbeat;
    /// ```
    pub fn metrics(mut self, serve: bool) -> Self {
        self.metrics = serve;
        self
    }

    /// Builds the heartbeat, or reports every problem in its configuration:
    /// checks of one probe sharing a name, declared checks whose state was not
    /// given, invalid or reserved names, zero time limits, intervals or
    /// thresholds, background results allowed to go stale between runs, an
    /// invalid prefix.
    ///
    /// Built inside a Tokio runtime, it starts its background checks there
    /// (see [`Registration::background`]).
    pub fn build(mut self) -> Result<Heartbeat, BuildError> {
        let mut problems = Vec::new();

        let prefix = normalize_prefix(&self.prefix);
        if prefix.is_none() {
            problems.push(Problem::InvalidPrefix {
                prefix: self.prefix.clone(),
            });
        }
        if self.default_timeout.is_zero() {
            problems.push(Problem::ZeroTimeout { check: None });
        }

        let lifecycle = Arc::new(Lifecycle::new(std::mem::take(&mut self.lifecycle)));
        let mut jobs = Vec::new();
        let mut by_probe: [Vec<Entry>; 4] = Default::default();
        for (origin, name, probes, timeout, check, policy) in self.candidates(&mut problems) {
            if !valid_name(&name) {
                problems.push(Problem::InvalidName {
                    name: name.clone(),
                    origin: origin.clone(),
                });
            }
            // A zero default is reported once, above, not for every check.
            if timeout.is_some_and(|own| own.is_zero()) {
                problems.push(Problem::ZeroTimeout {
                    check: Some(name.clone()),
                });
            }
            if probes.is_empty() {
                problems.push(Problem::NoProbe {
                    check: name.clone(),
                    origin: origin.clone(),
                });
            }

            let timeout = timeout.unwrap_or(self.default_timeout);
            problems.extend(policy.problems(&name, &origin, timeout));
            let name: Arc<str> = name.into();
            let mut sinks = Vec::new();
            for probe in dedup(probes) {
                let entry = Entry {
                    name: name.clone(),
                    origin: origin.clone(),
                    timeout,
                    check: check.clone(),
                    tally: Default::default(),
                    tracker: Arc::new(Tracker::new(
                        probe,
                        name.clone(),
                        policy,
                        timeout,
                        lifecycle.listeners().clone(),
                    )),
                };
                sinks.push(background::Sink {
                    probe,
                    tally: entry.tally.clone(),
                    tracker: entry.tracker.clone(),
                });
                by_probe[probe.index()].push(entry);
            }
            if let Some(interval) = policy.interval {
                jobs.push(background::Job {
                    name,
                    timeout,
                    interval,
                    check,
                    sinks,
                });
            }
        }

        for (probe, entries) in Probe::ALL.into_iter().zip(by_probe.iter_mut()) {
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            for pair in entries.windows(2) {
                if pair[0].name == pair[1].name {
                    problems.push(Problem::DuplicateName {
                        probe,
                        name: pair[0].name.to_string(),
                        first: pair[0].origin.clone(),
                        second: pair[1].origin.clone(),
                    });
                }
            }
        }

        if !problems.is_empty() {
            return Err(BuildError::new(problems));
        }

        let mut environ = environ::base(self.build_info.as_ref());
        environ.extend(self.environ);
        let tasks = Arc::new(Tasks::new(jobs));
        tasks.start();
        let runs = Probe::ALL.map(|probe| {
            let entries = std::mem::take(&mut by_probe[probe.index()]);
            let ttl = self.ttl[probe.index()];
            ProbeRun::new(probe, entries, ttl, lifecycle.clone(), tasks.clone())
        });
        Ok(Heartbeat {
            inner: Arc::new(Inner {
                prefix: prefix.unwrap_or_default(),
                runs,
                environ,
                collisions_logged: Mutex::new(HashSet::new()),
                access: self.access,
                details: self.details,
                withheld: WithheldReasons::default(),
                metrics: self.metrics,
                lifecycle,
            }),
        })
    }

    /// Every check to include, declared ones first (in the order of their
    /// names and places, so that errors read the same on every build), then
    /// the builder's in the order they were registered.
    fn candidates(&self, problems: &mut Vec<Problem>) -> Vec<Candidate> {
        let mut candidates = Vec::new();

        if self.declared {
            let mut declarations: Vec<_> = registry::declarations().collect();
            declarations.sort_by_key(|d| (d.name, d.site.module, d.site.file, d.site.line));
            for declaration in declarations {
                let origin = Origin::declared(declaration.site);
                match (declaration.factory)(&self.state) {
                    Ok(check) => candidates.push((
                        origin,
                        declaration.name.to_owned(),
                        declaration.probes.to_vec(),
                        declaration.timeout,
                        check,
                        declaration.policy,
                    )),
                    Err(missing) => problems.push(Problem::MissingState {
                        check: declaration.name.to_owned(),
                        origin,
                        missing,
                    }),
                }
            }
        }

        for (index, registration) in self.registrations.iter().enumerate() {
            candidates.push((
                Origin::Builder {
                    position: index + 1,
                },
                registration.name.clone(),
                registration.probes.clone(),
                registration.timeout,
                registration.check.clone(),
                registration.policy,
            ));
        }
        candidates
    }
}

type Candidate = (
    Origin,
    String,
    Vec<Probe>,
    Option<Duration>,
    Arc<dyn Check>,
    Policy,
);

impl fmt::Debug for HeartbeatBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeartbeatBuilder")
            .field("registrations", &self.registrations)
            .field("default_timeout", &self.default_timeout)
            .field("prefix", &self.prefix)
            .field("declared", &self.declared)
            .field("build_info", &self.build_info.is_some())
            .field("access", &self.access)
            .field("details", &self.details)
            .field("metrics", &self.metrics)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

fn dedup(mut probes: Vec<Probe>) -> Vec<Probe> {
    probes.sort();
    probes.dedup();
    probes
}

/// A name shows as a JSON key and may one day stand in a path: it must be
/// non-empty and free of path delimiters, whitespace and control characters.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#'))
}

/// `/a/b/` → `/a/b`; `/` → empty; anything that is not a plain path → `None`.
fn normalize_prefix(prefix: &str) -> Option<String> {
    let plain = prefix.starts_with('/')
        && !prefix
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'));
    plain.then(|| prefix.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_lose_their_trailing_slash() {
        assert_eq!(
            normalize_prefix("/.well-known/heartbeat/").as_deref(),
            Some("/.well-known/heartbeat")
        );
        assert_eq!(normalize_prefix("/").as_deref(), Some(""));
        assert_eq!(normalize_prefix("health"), None);
        assert_eq!(normalize_prefix("/health?x"), None);
    }

    #[test]
    fn names_must_fit_a_path_segment() {
        assert!(valid_name("database"));
        assert!(valid_name("redis-cache_1.primary"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert!(!valid_name("two words"));
    }
}
