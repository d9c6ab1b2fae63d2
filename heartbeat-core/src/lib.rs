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
//! | `environ` | 200: what is running here |
//!
//! A probe's body is `{"status": bool, "checks": {name: entry}}`, where each
//! entry holds the check's data with its `status` and its `duration_ms`;
//! checks appear in the order of their names.
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
//! otherwise) and `timeout = "250ms"` ([`DEFAULT_TIMEOUT`] otherwise).
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
//!
//! # Limitations
//!
//! - Checks run on the thread that serves the request. A check that blocks
//!   the thread instead of awaiting cannot be interrupted by its time limit
//!   and delays the probe: do blocking work in
//!   `tokio::task::spawn_blocking`.
//! - The time limits need a Tokio runtime with its timer enabled, which
//!   axum, actix-web and warp all provide.
//! - The environ page's `libraries` lists what the application's package
//!   needs on its own; a build of several packages at once that enables more
//!   features of a shared dependency can link more than it shows (see
//!   `heartbeat-build`).
//!
//! # Logging
//!
//! Through `tracing`, under the target `heartbeat`: each check run is a
//! DEBUG event; a probe turning to failing is a WARN, and recovering an INFO.
//! A failing check's reason withheld from a response is a WARN, once until
//! the reason changes or the check recovers. This crate never installs a
//! subscriber.

mod access;
mod check;
mod endpoint;
mod environ;
mod error;
mod heartbeat;
mod outcome;
mod probe;
mod registry;
mod render;
mod report;
mod run;
mod state;

pub use access::{Access, Authorize, Details};
pub use check::{Check, FnCheck, check_fn};
pub use endpoint::{ALLOWED_METHODS, Request, Response};
pub use environ::BuildInfo;
pub use error::{BuildError, Problem};
pub use futures_util::future::BoxFuture;
pub use heartbeat::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, Heartbeat, HeartbeatBuilder, Registration};
pub use heartbeat_macros::probe;
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
