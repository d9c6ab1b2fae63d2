//! Redis (or Valkey) through the application's connection.

use std::{fmt, sync::OnceLock, time::Instant};

use heartbeat_core::{BoxFuture, Check, Outcome};
use redis::aio::{ConnectionLike, ConnectionManager};

use crate::{Named, latency_ms, redact::Redactor};

/// Checks Redis with `PING` on the application's connection.
///
/// Takes anything the redis crate's async commands run on and that clones
/// cheaply onto the same connection: a [`ConnectionManager`] (the usual
/// choice, which reconnects by itself), a `MultiplexedConnection`, or a
/// cluster connection. The application's redis must be the same release as
/// this crate's (1.x).
///
/// On success the data holds `latency_ms` and `redis_version` (asked once
/// with `INFO server`, then kept; absent when the server will not say).
///
/// ```no_run
/// use heartbeat_checks::RedisCheck;
/// use heartbeat_core::Heartbeat;
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let client = redis::Client::open("redis://127.0.0.1:6379")?;
/// let connection = client.get_connection_manager().await?;
///
/// let heartbeat = Heartbeat::builder()
///     .readiness("redis", RedisCheck::new(connection.clone()))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct RedisCheck<C = ConnectionManager> {
    connection: C,
    version: OnceLock<Option<String>>,
    redactor: Redactor,
}

impl<C> RedisCheck<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// A check on `connection`, a clone of the application's.
    pub fn new(connection: C) -> Self {
        Self {
            connection,
            version: OnceLock::new(),
            redactor: Redactor::new(),
        }
    }

    async fn check(&self) -> Outcome {
        let mut connection = self.connection.clone();

        let started = Instant::now();
        let reply = redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await;
        let latency = latency_ms(started.elapsed());
        match reply {
            Ok(reply) if reply == "PONG" => {}
            Ok(reply) => {
                return Outcome::fail(format!(
                    "PING answered {:?} instead of PONG",
                    self.redactor.redact(&reply)
                ));
            }
            Err(error) => {
                return Outcome::fail(format!("PING failed: {}", self.redactor.error(&error)));
            }
        }

        let mut outcome = Outcome::pass().with("latency_ms", latency);
        if let Some(version) = self.version(&mut connection).await {
            outcome = outcome.with("redis_version", version);
        }
        outcome
    }

    /// The server's version: asked on the first success, then kept. A server
    /// that will not say (`INFO` may be forbidden) is not asked again.
    async fn version(&self, connection: &mut C) -> Option<String> {
        if let Some(version) = self.version.get() {
            return version.clone();
        }
        let info = redis::cmd("INFO")
            .arg("server")
            .query_async::<String>(connection)
            .await;
        let version = info.ok().and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("redis_version:"))
                .map(|version| version.trim().to_owned())
        });
        self.version.get_or_init(|| version).clone()
    }
}

impl<C> Check for RedisCheck<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl<C> Named for RedisCheck<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn default_name(&self) -> String {
        "redis".to_owned()
    }
}

impl<C> fmt::Debug for RedisCheck<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisCheck").finish_non_exhaustive()
    }
}
