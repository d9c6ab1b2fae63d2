//! RabbitMQ (AMQP 0-9-1) through the application's lapin connection.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::Instant,
};

use heartbeat_core::{BoxFuture, Check, Outcome};
use lapin::{
    Channel, Connection, ConnectionStatus, options::QueueDeclareOptions, types::FieldTable,
};

use crate::{Named, latency_ms, redact::Redactor};

/// Checks a RabbitMQ connection made by lapin: that it is open and not
/// blocked by the broker, and optionally that a queue exists.
///
/// The state check sends nothing: lapin tracks the connection's state from
/// the broker's frames and its own heartbeats. With [`queue`](Self::queue),
/// each run also declares the queue passively, a round trip that proves the
/// broker answers, and reports the queue's `messages` and `consumers`. The
/// check opens a channel of its own for that on the first run and keeps it,
/// opening another when the broker closes it (as it does when the queue does
/// not exist), so the application's channels are never touched.
///
/// The application's lapin must be the same release as this crate's (4.x),
/// running on Tokio (lapin's default runtime).
///
/// ```no_run
/// use std::sync::Arc;
///
/// use heartbeat_checks::AmqpCheck;
/// use heartbeat_core::Heartbeat;
/// use lapin::{Connection, ConnectionProperties};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// let connection = Arc::new(Connection::connect(url, ConnectionProperties::default()).await?);
///
/// let heartbeat = Heartbeat::builder()
///     .readiness("rabbitmq", AmqpCheck::new(connection.clone()).queue("jobs"))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct AmqpCheck {
    connection: Arc<Connection>,
    queue: Option<String>,
    tolerate_blocked: bool,
    channel: Mutex<Option<Channel>>,
    redactor: Redactor,
}

impl AmqpCheck {
    /// A check of `connection`, shared with the application.
    pub fn new(connection: Arc<Connection>) -> Self {
        Self {
            connection,
            queue: None,
            tolerate_blocked: false,
            channel: Mutex::new(None),
            redactor: Redactor::new(),
        }
    }

    /// Also declares `queue` passively on each run: the check fails when
    /// the queue does not exist or the broker does not answer.
    #[must_use]
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Passes even while the broker blocks the connection. By default a
    /// blocked connection fails the check: the broker has raised a resource
    /// alarm (memory or disk) and accepts no publishes on it.
    #[must_use]
    pub fn tolerate_blocked(mut self) -> Self {
        self.tolerate_blocked = true;
        self
    }

    async fn check(&self) -> Outcome {
        let status = self.connection.status();
        let state = connection_state(status);
        let blocked = status.blocked();

        if !status.connected() {
            return Outcome::fail(format!("the connection is {state}")).with("state", state);
        }
        if blocked && !self.tolerate_blocked {
            return Outcome::fail(
                "the broker blocks the connection: it has raised a resource alarm (memory or disk)",
            )
            .with("state", state)
            .with("blocked", true);
        }

        let outcome = Outcome::pass()
            .with("state", state)
            .with("blocked", blocked)
            .with("vhost", status.vhost().as_str());
        match &self.queue {
            None => outcome,
            Some(queue) => self.declare(queue, outcome).await,
        }
    }

    /// Declares `queue` passively and adds what the broker says of it.
    async fn declare(&self, queue: &str, outcome: Outcome) -> Outcome {
        let started = Instant::now();
        let channel = match self.channel().await {
            Ok(channel) => channel,
            Err(error) => {
                let message = format!("could not open a channel: {}", self.redactor.error(&error));
                return Outcome::fail(message);
            }
        };

        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        match channel
            .queue_declare(queue.into(), options, FieldTable::default())
            .await
        {
            Ok(declared) => outcome
                .with("latency_ms", latency_ms(started.elapsed()))
                .with("queue", queue)
                .with("messages", declared.message_count())
                .with("consumers", declared.consumer_count()),
            Err(error) => Outcome::fail(format!(
                "passive declaration of queue {queue:?} failed: {}",
                self.redactor.error(&error)
            ))
            .with("queue", queue),
        }
    }

    /// The check's own channel: the kept one while it is open, else a new
    /// one, kept for the next run.
    async fn channel(&self) -> lapin::Result<Channel> {
        let kept = self.lock().clone();
        if let Some(channel) = kept.filter(|channel| channel.status().connected()) {
            return Ok(channel);
        }

        let channel = self.connection.create_channel().await?;
        *self.lock() = Some(channel.clone());
        Ok(channel)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Channel>> {
        self.channel
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// The connection's state, as a word.
fn connection_state(status: &ConnectionStatus) -> &'static str {
    if status.connected() {
        "connected"
    } else if status.connecting() {
        "connecting"
    } else if status.reconnecting() {
        "reconnecting"
    } else if status.closing() {
        "closing"
    } else if status.closed() {
        "closed"
    } else if status.errored() {
        "broken"
    } else {
        "not yet open"
    }
}

impl Check for AmqpCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for AmqpCheck {
    fn default_name(&self) -> String {
        "amqp".to_owned()
    }
}

impl fmt::Debug for AmqpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmqpCheck")
            .field("queue", &self.queue)
            .field("tolerate_blocked", &self.tolerate_blocked)
            .finish_non_exhaustive()
    }
}
