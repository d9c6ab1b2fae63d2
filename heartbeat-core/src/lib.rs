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
//! | `environ` | always 200: what is running here |
//!
//! A probe's body is `{"status": bool, "checks": {name: entry}}`, where each
//! entry holds the check's data with its `status` and its `duration_ms`;
//! checks appear in the order of their names.
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
//!
//! # Logging
//!
//! Through `tracing`, under the target `heartbeat`: each check run is a
//! DEBUG event; a probe turning to failing is a WARN, and recovering an INFO.
//! This crate never installs a subscriber.

mod check;
mod endpoint;
mod error;
mod heartbeat;
mod outcome;
mod probe;
mod registry;
mod render;
mod report;
mod run;
mod state;

pub use check::{Check, FnCheck, check_fn};
pub use endpoint::{ALLOWED_METHODS, Request, Response};
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
