//! The `#[probe(...)]` attribute of heartbeat.
//!
//! Use it through `heartbeat-core` or an adapter crate, which re-export it;
//! their documentation describes what it accepts. This crate only parses the
//! attribute and writes the registration that the heartbeat collects at link
//! time.

use proc_macro::TokenStream;

mod args;
mod expand;
mod signature;

/// Declares an `async fn` as a check of one or more probes.
///
/// ```ignore
/// #[probe(readiness, liveness, name = "database", timeout = "250ms")]
/// async fn database(pool: &PgPool) -> Result<(), sqlx::Error> {
///     sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
/// }
/// ```
///
/// - Probes: one or more of `readiness`, `liveness`, `startup`; or `environ`
///   alone, for a contribution to the environ page.
/// - `name = "..."`: the check's name in the body; the function's name
///   otherwise.
/// - `timeout = "250ms"`: the check's time limit, in the units `ns`, `us`,
///   `ms`, `s`, `m`; the builder's default otherwise.
/// - `critical = false`: the check's failure is shown but does not fail its
///   probes, which say they are degraded instead.
/// - `interval = "10s"`: the check runs on that interval in the background,
///   and requests read its latest result; `max_age = "30s"`: how old that
///   result may be before it counts as failing (three intervals otherwise).
/// - `failure_threshold = 3`, `success_threshold = 2`: how many runs in a
///   row must fail, or pass, before the check's state changes (1 otherwise).
/// - `crate = path`: where to find heartbeat when it cannot be found from
///   `Cargo.toml`, for instance when re-exported by another crate.
///
/// Parameters are taken from the values given to `HeartbeatBuilder::state`
/// by type: `&T` borrows the value, `T` clones it for each run.
#[proc_macro_attribute]
pub fn probe(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::probe(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
