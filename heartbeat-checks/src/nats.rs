//! NATS through the application's async-nats client.

use std::{
    fmt,
    time::{Duration, Instant},
};

use async_nats::{Client, RequestErrorKind, connection::State};
use heartbeat_core::{BoxFuture, Check, Outcome};

use crate::{Named, latency_ms, redact::Redactor};

/// Checks NATS through the application's [`Client`]: that it is connected,
/// and that the server answers a round trip.
///
/// The round trip is a request to a fresh inbox subject that nobody
/// listens on: the server itself answers at once that there are no
/// responders, which proves that it received the request and routes
/// messages. Nothing reaches any subscriber of the application.
///
/// The round trip has a time limit of its own,
/// [`round_trip_timeout`](Self::round_trip_timeout), so that a connection
/// lost meanwhile is reported as such rather than as a timed-out check.
///
/// On success the data holds `state`, `latency_ms` of the round trip, and
/// the server's `server_version` and `server_name`. The application's
/// async-nats must be the same release as this crate's (0.52).
///
/// ```no_run
/// use heartbeat_checks::NatsCheck;
/// use heartbeat_core::Heartbeat;
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let client = async_nats::connect("nats://127.0.0.1:4222").await?;
///
/// let heartbeat = Heartbeat::builder()
///     .readiness("nats", NatsCheck::new(client.clone()))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct NatsCheck {
    client: Client,
    round_trip_timeout: Duration,
    redactor: Redactor,
}

/// How long [`NatsCheck`] waits for the server's answer unless told
/// otherwise: shorter than the heartbeat's default time limit, so that a
/// connection lost during the round trip is reported as such.
pub const DEFAULT_ROUND_TRIP_TIMEOUT: Duration = Duration::from_millis(300);

impl NatsCheck {
    /// A check through `client`, a clone of the application's (clones share
    /// one connection).
    pub fn new(client: Client) -> Self {
        Self {
            client,
            round_trip_timeout: DEFAULT_ROUND_TRIP_TIMEOUT,
            redactor: Redactor::new(),
        }
    }

    /// Waits at most `timeout` for the server's answer
    /// ([`DEFAULT_ROUND_TRIP_TIMEOUT`] unless set). Keep it below the
    /// check's time limit.
    #[must_use]
    pub fn round_trip_timeout(mut self, timeout: Duration) -> Self {
        self.round_trip_timeout = timeout;
        self
    }

    async fn check(&self) -> Outcome {
        let state = self.client.connection_state();
        if state != State::Connected {
            return Outcome::fail(format!("the client is {state}, not connected"))
                .with("state", state.to_string());
        }

        let started = Instant::now();
        let request = self
            .client
            .request(self.client.new_inbox(), Default::default());
        let reply = tokio::time::timeout(self.round_trip_timeout, request).await;
        let latency = latency_ms(started.elapsed());

        // "No responders" comes from the server itself: the round trip is
        // complete. So is any answer, should something listen after all.
        match reply {
            Ok(Ok(_)) => {}
            Ok(Err(error)) if error.kind() == RequestErrorKind::NoResponders => {}
            Ok(Err(error)) => {
                let message = format!("round trip failed: {}", self.redactor.error(&error));
                return Outcome::fail(message).with("state", state.to_string());
            }
            Err(_) => {
                let state = self.client.connection_state();
                let message = format!(
                    "no answer from the server within {} ms; the client is {state}",
                    self.round_trip_timeout.as_millis()
                );
                return Outcome::fail(message).with("state", state.to_string());
            }
        }

        let server = self.client.server_info();
        Outcome::pass()
            .with("state", state.to_string())
            .with("latency_ms", latency)
            .with("server_version", server.version)
            .with("server_name", server.server_name)
    }
}

impl Check for NatsCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for NatsCheck {
    fn default_name(&self) -> String {
        "nats".to_owned()
    }
}

impl fmt::Debug for NatsCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsCheck").finish_non_exhaustive()
    }
}
