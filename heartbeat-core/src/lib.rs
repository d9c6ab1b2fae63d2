//! Kubernetes-grade health endpoints for Rust services, with no web
//! framework: probes, checks, aggregation, registration and rendering.
//!
//! Most services use this crate through an adapter (`heartbeat-axum`,
//! `heartbeat-actix` or `heartbeat-warp`), which re-exports everything here.
//!
//! ```rust,standalone_crate
//! use heartbeat_core::{Heartbeat, Outcome, Request, probe};
//!
//! /// What the checks need, handed to the heartbeat at startup.
//! struct Database { url: String }
//!
//! #[probe(readiness, liveness, timeout = "250ms")]
//! async fn database(db: &Database) -> Outcome {
//!     Outcome::pass().with("latency_ms", 0.4)
//! }
//!
//! #[probe(readiness, name = "cache")]
//! async fn cache_is_warm() -> Result<(), std::io::Error> {
//!     Ok(())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let heartbeat = Heartbeat::builder()
//!     .state(Database { url: "postgres://localhost/test".into() })
//!     .build()
//!     .expect("every check has what it needs");
//!
//! let response = heartbeat.handle(&Request::new("GET", "/.well-known/heartbeat/readiness")).await;
//! assert_eq!(response.status(), 200);
//! # });
//! ```
//!
//! # Endpoints
//!
//! Under the prefix (`/.well-known/heartbeat` unless
//! [`HeartbeatBuilder::prefix`] says otherwise):
//!
//! | path | answers |
//! | --- | --- |
//! | `readiness` | 200 when every readiness check passes, 500 otherwise |
//! | `liveliness`, `liveness` | the same for liveness checks |
//! | `startup` | the same for startup checks; once they all pass, it passes for good |
//! | `<probe>/<check>`, such as `readiness/database` | the same for that check alone; 404 listing the probe's checks if it has no such check |
//! | `environ` | 200: what is running here |
//! | `metrics` | with [`HeartbeatBuilder::metrics`]: each check's latest result for Prometheus |
//!
//! A probe's body is `{"status": bool, "checks": {name: entry}}`, where each
//! entry holds the check's data with its `status` and its `duration_ms`;
//! checks appear in the order of their names. It can be asked for in other
//! formats, and for fewer checks: see below.
//!
//! # Formats
//!
//! A probe answers in the format that its request's `Accept` header
//! prefers, as [`Format::from_accept`] chooses it: media ranges, wildcards,
//! parameters and weights count as HTTP defines them. A header asking only
//! for formats the heartbeat does not write, such as `text/html`, or one
//! that cannot be parsed, gets JSON rather than a 406: a probe always
//! answers, and a client that cannot read JSON can still read the status
//! code. The status code is the same in every format, and probe answers
//! carry `Vary: Accept`. The environ page, the metrics and the errors have
//! one format each, whatever the request accepts.
//!
//! `application/json`, the default: the wire contract's body, byte for byte
//! as it has always been.
//!
//! ```json
//! {"status":false,"checks":{"cache":{"status":true,"duration_ms":0.014,"latency_ms":0.4},"database":{"status":false,"duration_ms":3.123,"message":"connection refused"}}}
//! ```
//!
//! `application/health+json`: the IETF draft "Health Check Response Format
//! for HTTP APIs" (draft-inadarei-api-health-check). Each check is a
//! component measured by its response time, under `<check>:responseTime`;
//! `status` is `pass`, `fail`, or `warn` when the probe passes although a
//! check that is not critical fails. (Shown here on several lines.)
//!
//! ```json
//! {
//!   "status": "fail",
//!   "output": "failing: database",
//!   "checks": {
//!     "cache:responseTime": [{"componentId": "cache", "componentType": "component",
//!       "observedValue": 0.003, "observedUnit": "ms", "status": "pass",
//!       "time": "2026-12-04T07:06:20.812Z"}],
//!     "database:responseTime": [{"componentId": "database", "componentType": "component",
//!       "observedValue": 3.101, "observedUnit": "ms", "status": "fail",
//!       "time": "2026-12-04T07:06:20.812Z", "output": "connection refused"}]
//!   }
//! }
//! ```
//!
//! `text/plain`, as Kubernetes' own `/readyz` and `/livez` write it: a line
//! per check and a verdict when the probe fails (or passes with a failing
//! check that is not critical), and `ok` alone when it passes.
//!
//! ```text
//! [+]cache ok
//! [-]database failed: connection refused
//! readiness check failed
//! ```
//!
//! The crate's package holds a JSON Schema of each JSON body:
//! `schemas/probe.json` and `schemas/health.json`.
//!
//! # Asking for fewer checks
//!
//! The query of a probe's request may hold, as Kubernetes' endpoints take
//! them (keys and values percent-decoded, `+` a space; other keys ignored):
//!
//! - `exclude=<name>`, repeatable: that check is left out of this answer;
//!   it does not run and its status does not count. A name the probe does
//!   not have is noted rather than refused: `"excluded_unknown": [names]` at
//!   the end of the JSON body, a note in health+json's `notes`, a
//!   `warn: no check named "<name>" to exclude` line first in text.
//! - `verbose`: the text format's lines on success too, ending
//!   `<probe> check passed` (`verbose=0` or `verbose=false` turn it off).
//!   It changes nothing in the JSON formats, which always show every check.
//!
//! A request that leaves checks out, or asks for one check alone, runs its
//! checks for itself (a background check's latest result is read, as
//! always): a kept report ([`HeartbeatBuilder::cache`]) is neither used nor
//! replaced, and the probe's state does not change.
//!
//! ```
//! use heartbeat_core::{Heartbeat, Outcome, Request, check_fn};
//! use http::{HeaderMap, header};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let heartbeat = Heartbeat::builder()
//!     .without_declared()
//!     .readiness("cache", check_fn(|| async { Outcome::pass() }))
//!     .readiness("database", check_fn(|| async { Outcome::fail("connection refused") }))
//!     .build()
//!     .unwrap();
//!
//! let mut headers = HeaderMap::new();
//! headers.insert(header::ACCEPT, "text/plain".parse().unwrap());
//! let path = "/.well-known/heartbeat/readiness";
//! let request = Request::new("GET", path).headers(&headers);
//! let response = heartbeat.handle(&request).await;
//! assert_eq!(response.status(), 500);
//! assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
//!
//! let request = request.query(Some("exclude=database"));
//! let response = heartbeat.handle(&request).await;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.body().as_ref(), b"ok");
//! # });
//! ```
//!
//! # Metrics
//!
//! With [`HeartbeatBuilder::metrics`]`(true)`, `metrics` answers in
//! Prometheus' text format (version 0.0.4) what the latest runs found,
//! without running anything: each check's status and duration, and how many
//! times it ran and failed ([`Heartbeat::metrics`] lists them). Off, it
//! answers 404 as an unknown path does.
//!
//! ```text
//! # HELP heartbeat_check_status Whether the check passed (1) or failed (0) when it last ran.
//! # TYPE heartbeat_check_status gauge
//! heartbeat_check_status{probe="readiness",check="cache"} 1
//! heartbeat_check_status{probe="readiness",check="database"} 0
//! # HELP heartbeat_check_duration_seconds How long the check took when it last ran.
//! # TYPE heartbeat_check_duration_seconds gauge
//! heartbeat_check_duration_seconds{probe="readiness",check="cache"} 0.000001244
//! heartbeat_check_duration_seconds{probe="readiness",check="database"} 0.003103259
//! # HELP heartbeat_check_runs_total How many times the check has run.
//! # TYPE heartbeat_check_runs_total counter
//! heartbeat_check_runs_total{probe="readiness",check="cache"} 5
//! heartbeat_check_runs_total{probe="readiness",check="database"} 4
//! # HELP heartbeat_check_failures_total How many times the check has failed.
//! # TYPE heartbeat_check_failures_total counter
//! heartbeat_check_failures_total{probe="readiness",check="cache"} 0
//! heartbeat_check_failures_total{probe="readiness",check="database"} 4
//! ```
//!
//! # In Kubernetes
//!
//! Point each probe of the container at its endpoint. A probe answers within
//! about the longest time limit of its checks ([`DEFAULT_TIMEOUT`], 500 ms,
//! unless set), since they run concurrently: Kubernetes' default
//! `timeoutSeconds: 1` leaves room for it, and a probe whose checks take
//! longer limits needs a `timeoutSeconds` above the longest. The repository's
//! `examples/kubernetes/deployment.yaml` is a whole Deployment with its
//! startup, readiness and liveness probes.
//!
//! ```yaml
//! readinessProbe:
//!   httpGet:
//!     path: /.well-known/heartbeat/readiness
//!     port: http
//!   periodSeconds: 5
//!   timeoutSeconds: 1
//!   failureThreshold: 2
//! ```
//!
//! # Running in production
//!
//! **Graceful shutdown.** On SIGTERM, call [`Heartbeat::shutdown`]: from
//! that moment readiness fails, whatever a kept report says, its entry
//! [`SERVICE_CHECK`] (`in_service`) saying `"shutting down"`, while
//! liveness keeps passing so that nothing restarts the instance. The future
//! it returns resolves after the drain delay ([`HeartbeatBuilder::drain`],
//! [`DEFAULT_DRAIN`] unless set, which says why five seconds), while load
//! balancers learn that the instance is going; then stop the server, which
//! answers the requests in flight. Each framework's graceful shutdown takes
//! that as its signal:
//!
//! ```
//! use std::time::Duration;
//! use heartbeat_core::Heartbeat;
//!
//! # async fn sigterm() {}
//! let heartbeat = Heartbeat::builder().drain(Duration::from_secs(10)).build().unwrap();
//! let stopping = heartbeat.clone();
//! let signal = async move {
//!     sigterm().await;
//!     stopping.shutdown().await;
//! };
//! // axum:      axum::serve(listener, app).with_graceful_shutdown(signal)
//! // actix-web: HttpServer::new(app).shutdown_signal(signal)
//! // warp:      warp::serve(routes).incoming(listener).graceful(signal)
//! # let _ = signal;
//! ```
//!
//! Kubernetes waits `terminationGracePeriodSeconds` (30 unless set) after
//! SIGTERM before it kills the container: keep the drain delay and the
//! longest request well under it. The examples wire this to Ctrl-C and
//! SIGTERM.
//!
//! **Maintenance.** [`Heartbeat::set_out_of_service`] fails readiness the
//! same way, the entry saying `"out of service: <reason>"`, until
//! [`Heartbeat::set_in_service`]; a shutdown wins over both.
//! [`Heartbeat::service`] tells which state the instance is in.
//!
//! **Check policies**, set on a [`Registration`] or as options of
//! `#[probe(...)]`:
//!
//! | [`Registration`] | `#[probe(...)]` | the check |
//! | --- | --- | --- |
//! | [`critical(false)`](Registration::critical) | `critical = false` | is shown, with `"critical": false`, but its failure does not fail the probe; the body then adds `"degraded": true` |
//! | [`background(interval)`](Registration::background) | `interval = "10s"` | runs every interval on a task of its own; requests read its latest result, failing with `"not run yet"` before the first |
//! | [`max_age(age)`](Registration::max_age) | `max_age = "30s"` | a background result older than this fails, saying how old it is (three intervals unless set) |
//! | [`failure_threshold(n)`](Registration::failure_threshold) | `failure_threshold = 3` | counts as failing only after `n` failed runs in a row; meanwhile its entry shows the latest message and `"consecutive_failures"` |
//! | [`success_threshold(n)`](Registration::success_threshold) | `success_threshold = 2` | counts as passing again only after `n` passing runs in a row, showing `"consecutive_successes"` |
//!
//! A probe's `status` is the AND of its critical checks' statuses: with no
//! check made non-critical, of all of them, as the wire contract says. The
//! keys above are added only when they apply, so a heartbeat that uses no
//! policy answers exactly as before.
//!
//! ```rust,standalone_crate
//! use std::time::Duration;
//! use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn, probe};
//!
//! /// Slow, and the service can do without it for a while.
//! #[probe(readiness, critical = false, interval = "30s", failure_threshold = 2)]
//! async fn search_index() -> Outcome {
//!     Outcome::pass().with("documents", 120_000)
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let heartbeat = Heartbeat::builder()
//!     .register(
//!         Registration::new("upstream", check_fn(|| async { Outcome::pass() }))
//!             .probes([Probe::Readiness])
//!             .failure_threshold(3)
//!             .success_threshold(2),
//!     )
//!     .build()
//!     .expect("valid policies");
//! # let _ = heartbeat;
//! # });
//! ```
//!
//! **Listeners.** [`HeartbeatBuilder::on_change`] calls a function whenever
//! a probe or one of its checks starts passing or failing ([`Change`]), to
//! page someone, count flaps, or mirror the state elsewhere. It runs inline
//! and must not block; a listener that panics is logged and changes
//! nothing.
//!
//! ```
//! use heartbeat_core::{Change, Heartbeat};
//!
//! let heartbeat = Heartbeat::builder()
//!     .on_change(|change: &Change| {
//!         if let Change::Probe { probe, status: false } = change {
//!             eprintln!("{probe} is failing");
//!         }
//!     })
//!     .build()
//!     .unwrap();
//! # let _ = heartbeat;
//! ```
//!
//! # The environ page
//!
//! `{"status": bool, ...}` with, in the order of their keys:
//!
//! | key | what | needs |
//! | --- | --- | --- |
//! | `libraries` | each crate linked into the binary: `{"version", "conflicts", "features"}`, `conflicts` being `null` or the other versions linked | the setup below; else `{}` and a `hint` |
//! | `package` | the application's `{"name", "version"}` | the setup below |
//! | `revision` | `{"commit", "dirty"}` of the git checkout built, or `HEARTBEAT_REVISION` at build time | the setup below, and git or that variable |
//! | `rust` | the compiler's `[major, minor, patch]` | nothing |
//! | `rustc` | the compiler's full version, such as `1.95.0 (59807616e 2026-04-14)` | nothing |
//! | `target` | the target triple built for | nothing |
//! | `profile` | `debug` or `release`, the built-in profile the build used or inherited from | nothing |
//!
//! The setup, one line in each of three places of the application: a
//! build-dependency on `heartbeat-build`, a `build.rs` with
//! `fn main() { heartbeat_build::environ(); }`, and
//! `.build_info(heartbeat_core::build_info!())` on the builder (see
//! [`build_info!`] and the `heartbeat-build` crate for how the list is made
//! and what it leaves out). The list is made when the application is built;
//! answering a request only copies it.
//!
//! Then come the values of [`HeartbeatBuilder::environ_value`], which
//! replace the keys above, then each contribution's data (from
//! `#[probe(environ)]` or [`HeartbeatBuilder::environ`]) in the order of the
//! contributions' names. A key already taken keeps its first value; a
//! contribution's later one is dropped and logged once. `status` is the AND
//! of the contributions' statuses, and nothing can overwrite it.
//!
//! # Who may see what
//!
//! Everything is public unless the builder says otherwise, in one line each:
//!
//! - [`HeartbeatBuilder::access`] with [`Access::Disabled`] turns an
//!   endpoint off: it answers 404 as an unknown path does and leaves the
//!   404's list. With [`Access::Authorized`], only the requests an
//!   [`Authorize`] rule accepts reach it; others get 403 with a JSON error
//!   and none of its content. [`Authorize::bearer`] checks an
//!   `Authorization: Bearer` token; [`Authorize::new`] takes any rule over
//!   the [`Request`], headers included.
//! - [`HeartbeatBuilder::details`] with [`Details::StatusOnly`] keeps the
//!   body's `status` and each check's `status` and withholds messages and
//!   data, duration included; a failing check reads
//!   `"message": "reason withheld"`, and the real reason is logged.
//!   [`Details::Authorized`] shows everything to the requests a rule
//!   accepts. The status code never changes with the policy.
//!
//! ```
//! use heartbeat_core::{Access, Authorize, Details, Heartbeat, Probe};
//!
//! let token = std::env::var("HEARTBEAT_TOKEN").unwrap_or_default();
//! let heartbeat = Heartbeat::builder()
//!     .access(Probe::Environ, Access::Authorized(Authorize::bearer(token.clone())))
//!     .details(Probe::Readiness, Details::Authorized(Authorize::bearer(token)))
//!     .build()
//!     .unwrap();
//! # let _ = heartbeat;
//! ```
//!
//! # Declaring checks
//!
//! `#[probe(...)]` on an `async fn` registers it at link time; the heartbeat
//! finds it when built. The attribute takes one or more of `readiness`,
//! `liveness`, `startup` (or `environ` alone, for a contribution to the
//! environ page), and the options `name = "..."` (the function's name
//! otherwise), `timeout = "250ms"` ([`DEFAULT_TIMEOUT`] otherwise), and the
//! check policies of [Running in production](#running-in-production):
//! `critical = false`, `interval = "10s"`, `max_age = "30s"`,
//! `failure_threshold = 3`, `success_threshold = 2`.
//!
//! The function's parameters are resolved from the values given to
//! [`HeartbeatBuilder::state`] by type: `&T` borrows the value, `T` clones
//! it for each run. A check whose value was not given fails
//! [`HeartbeatBuilder::build`] with an error naming the check and the type.
//! It returns anything that implements [`IntoOutcome`].
//!
//! Checks made from values, such as the prebuilt ones of `heartbeat-checks`,
//! are registered with [`HeartbeatBuilder::readiness`] and its siblings.
//!
//! # Guarantees
//!
//! - A probe's checks run concurrently, each under its own time limit: a
//!   check past its limit fails with a message saying so, and the probe
//!   answers on time.
//! - A check that panics fails with the panic's message; other checks and
//!   the process are unaffected.
//! - Two checks of one probe with the same name, a missing state value, an
//!   invalid name or prefix: [`HeartbeatBuilder::build`] fails and names
//!   each problem.
//! - With [`HeartbeatBuilder::cache`], a report is reused for a time to live
//!   and concurrent requests share one run.
//! - From the moment [`Heartbeat::shutdown`] or
//!   [`Heartbeat::set_out_of_service`] is called, readiness fails, whatever
//!   report is kept; liveness is unaffected.
//! - A background check's task stops when the last clone of its heartbeat
//!   is dropped, even in the middle of a run.
//!
//! # Limitations
//!
//! - Checks run on the thread that serves the request. A check that blocks
//!   the thread instead of awaiting cannot be interrupted by its time limit
//!   and delays the probe: do blocking work in
//!   `tokio::task::spawn_blocking`.
//! - The time limits need a Tokio runtime with its timer enabled, which
//!   axum, actix-web and warp all provide.
//! - Background checks run on the runtime that built the heartbeat (or that
//!   served its first request, if it was built outside one), and stop with
//!   it: a heartbeat built on a short-lived runtime and served on another
//!   sees its background results go stale.
//! - The environ page's `libraries` lists what the application's package
//!   needs on its own; a build of several packages at once that enables more
//!   features of a shared dependency can link more than it shows (see
//!   `heartbeat-build`).
//!
//! # Logging
//!
//! Through `tracing`, under the target `heartbeat`: each check run is a
//! DEBUG event with its `probe`, `check`, `status` and `duration_ms`; a
//! probe turning to failing is a WARN, and recovering an INFO; starting a
//! shutdown, leaving or returning to service are INFO; a listener that
//! panics is an ERROR. A failing
//! check's reason withheld from a response is a WARN, once until the reason
//! changes or the check recovers. This crate never installs a subscriber.

mod access;
mod answer;
mod background;
mod check;
mod endpoint;
mod environ;
mod error;
mod health_json;
mod heartbeat;
mod lifecycle;
mod metrics;
mod negotiate;
mod outcome;
mod policy;
mod probe;
mod query;
mod registry;
mod render;
mod report;
mod run;
mod state;
mod text;

pub use access::{Access, Authorize, Details};
pub use check::{Check, FnCheck, check_fn};
pub use endpoint::{ALLOWED_METHODS, Request, Response};
pub use environ::BuildInfo;
pub use error::{BuildError, Problem};
pub use futures_util::future::BoxFuture;
pub use heartbeat::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, Heartbeat, HeartbeatBuilder, Registration};
pub use heartbeat_macros::probe;
pub use lifecycle::{Change, DEFAULT_DRAIN, SERVICE_CHECK, Service};
pub use negotiate::Format;
pub use outcome::{IntoOutcome, Outcome};
pub use probe::Probe;
pub use registry::Origin;
pub use report::{CheckReport, Report};
pub use state::{MissingState, State};

/// What the code written by `#[probe(...)]` uses. Not a public API: it may
/// change in any release.
#[doc(hidden)]
pub mod __private {
    pub use inventory;

    pub use crate::{
        check::{Check, check_fn},
        outcome::{IntoOutcome, Outcome},
        policy::Policy,
        probe::Probe,
        registry::{Declaration, Site},
        state::{MissingState, State},
    };

    /// Converts a declared check's return value; the attribute spans this
    /// call on the function's return type, so that a type that cannot be
    /// converted is reported there.
    pub fn into_outcome<T: IntoOutcome>(value: T) -> Outcome {
        value.into_outcome()
    }

    /// Boxes a declared check, ready for the registry.
    pub fn declared<C: Check>(check: C) -> std::sync::Arc<dyn Check> {
        std::sync::Arc::new(check)
    }
}
