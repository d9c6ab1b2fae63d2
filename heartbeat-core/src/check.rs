//! The behaviour of a check, and how to make one from a closure.

use std::{future::Future, sync::Arc};

use futures_util::{FutureExt, future::BoxFuture};

use crate::outcome::{IntoOutcome, Outcome};

/// Something the heartbeat can run to learn whether a dependency is well.
///
/// Most checks are declared with `#[probe(...)]` or made with [`check_fn`];
/// implement this trait for a check that is a value of its own, such as a
/// prebuilt check holding a connection pool.
///
/// The heartbeat runs each check under a time limit and drops its future when
/// the limit passes, so a check must be cancel-safe: it should hold no state
/// that a dropped future leaves broken. It must not block the thread; use
/// `tokio::task::spawn_blocking` for blocking work.
///
/// ```
/// use heartbeat_core::{BoxFuture, Check, Outcome};
///
/// struct Always(bool);
///
/// impl Check for Always {
///     fn run(&self) -> BoxFuture<'_, Outcome> {
///         Box::pin(async move { Outcome::from_status(self.0) })
///     }
/// }
/// ```
pub trait Check: Send + Sync + 'static {
    /// Runs the check once.
    fn run(&self) -> BoxFuture<'_, Outcome>;
}

impl<C: Check + ?Sized> Check for Arc<C> {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        (**self).run()
    }
}

impl<C: Check + ?Sized> Check for Box<C> {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        (**self).run()
    }
}

/// Makes a check from a closure returning a future.
///
/// The future may resolve to anything that implements [`IntoOutcome`].
///
/// ```
/// use heartbeat_core::{Outcome, check_fn};
///
/// let check = check_fn(|| async { Outcome::pass().with("queue_depth", 3) });
/// # let _ = check;
/// ```
pub fn check_fn<F, Fut>(f: F) -> FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoOutcome,
{
    FnCheck(f)
}

/// A check made from a closure by [`check_fn`].
#[derive(Clone)]
pub struct FnCheck<F>(F);

impl<F, Fut> Check for FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoOutcome,
{
    fn run(&self) -> BoxFuture<'_, Outcome> {
        (self.0)().map(IntoOutcome::into_outcome).boxed()
    }
}

impl<F> std::fmt::Debug for FnCheck<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnCheck")
    }
}
