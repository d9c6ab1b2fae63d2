//! MQTT through the event loop of the application's rumqttc client.

use std::{
    fmt,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use heartbeat_core::{BoxFuture, Check, Outcome};
use rumqttc::{ConnectReturnCode, ConnectionError, Event, EventLoop, Outgoing, Packet};

use crate::{Named, redact::Redactor};

/// Checks an MQTT connection made by rumqttc, from the events of its event
/// loop.
///
/// A rumqttc client makes no progress unless the application polls its
/// [`EventLoop`], and only that loop sees the connection come and go. So
/// the application hands an [`MqttRecorder`] to the task that polls it, and
/// lets the recorder see each event: either poll through
/// [`MqttRecorder::poll`], or pass each result to [`MqttRecorder::record`].
/// The check passes while the last word from the loop is a successful
/// `CONNACK` or anything after it, and fails after an error, a disconnect,
/// or when every recorder is gone (the polling task has ended). It sends
/// nothing itself: rumqttc keeps the connection alive with `PINGREQ`s, and
/// their loss shows up as an error in the loop.
///
/// The data holds `state`, `connections` (how many times the client has
/// connected; more than one means it reconnected), `connected_for_s`, and
/// after a failure `last_error`, with credentials removed.
///
/// ```no_run
/// use std::time::Duration;
///
/// use heartbeat_checks::MqttCheck;
/// use heartbeat_core::Heartbeat;
/// use rumqttc::{AsyncClient, MqttOptions};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let (client, mut eventloop) = AsyncClient::new(MqttOptions::new("app", "127.0.0.1", 1883), 16);
///
/// let mqtt = MqttCheck::new();
/// let recorder = mqtt.recorder();
/// tokio::spawn(async move {
///     loop {
///         match recorder.poll(&mut eventloop).await {
///             Ok(event) => { /* the application's own handling */ }
///             Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
///         }
///     }
/// });
///
/// let heartbeat = Heartbeat::builder().readiness("mqtt", mqtt).build()?;
/// # let _ = (client, heartbeat);
/// # Ok(())
/// # }
/// ```
pub struct MqttCheck {
    shared: Arc<Shared>,
    max_silence: Option<Duration>,
}

/// Shows an [`MqttCheck`] what the event loop sees; made by
/// [`MqttCheck::recorder`]. Clones record into the same check.
pub struct MqttRecorder {
    shared: Arc<Shared>,
}

struct Shared {
    link: Mutex<Link>,
    recorders: AtomicUsize,
    redactor: Redactor,
}

struct Link {
    state: State,
    connections: u64,
    last_event: Option<Instant>,
    last_error: Option<String>,
}

enum State {
    NotYetConnected,
    Connected { since: Instant },
    Disconnected { reason: String },
}

impl MqttCheck {
    /// A check that knows nothing yet: it fails until a recorder sees the
    /// connection come up.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                link: Mutex::new(Link {
                    state: State::NotYetConnected,
                    connections: 0,
                    last_event: None,
                    last_error: None,
                }),
                recorders: AtomicUsize::new(0),
                redactor: Redactor::new(),
            }),
            max_silence: None,
        }
    }

    /// A recorder for the task that polls the event loop.
    pub fn recorder(&self) -> MqttRecorder {
        MqttRecorder::new(self.shared.clone())
    }

    /// Also fails when the event loop has been silent for `silence`: no
    /// event at all, not even the `PINGRESP` that rumqttc receives every
    /// keep-alive interval. Set it above the client's keep-alive (60 s by
    /// default) to catch an application that stopped polling yet keeps a
    /// recorder alive.
    #[must_use]
    pub fn max_silence(mut self, silence: Duration) -> Self {
        self.max_silence = Some(silence);
        self
    }

    fn check(&self) -> Outcome {
        let link = self.shared.lock();
        let recorders = self.shared.recorders.load(Ordering::Acquire);

        let outcome = match &link.state {
            _ if recorders == 0 => Outcome::fail(
                "no MqttRecorder is alive: the task polling the event loop has ended, \
                 or was never given one",
            ),
            State::NotYetConnected => Outcome::fail("not connected yet"),
            State::Disconnected { reason } => Outcome::fail(format!("disconnected: {reason}")),
            State::Connected { since } => {
                let silent = link.last_event.map(|at| at.elapsed());
                match (self.max_silence, silent) {
                    (Some(limit), Some(silent)) if silent >= limit => Outcome::fail(format!(
                        "no event from the event loop for {:.1} s: is the application still \
                         polling it?",
                        silent.as_secs_f64()
                    )),
                    _ => Outcome::pass().with(
                        "connected_for_s",
                        round_tenths(since.elapsed().as_secs_f64()),
                    ),
                }
            }
        };

        let state = match link.state {
            State::NotYetConnected => "not yet connected",
            State::Connected { .. } => "connected",
            State::Disconnected { .. } => "disconnected",
        };
        let mut outcome = outcome
            .with("state", state)
            .with("connections", link.connections);
        if let Some(error) = &link.last_error {
            outcome = outcome.with("last_error", error.as_str());
        }
        outcome
    }
}

impl Default for MqttCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl MqttRecorder {
    fn new(shared: Arc<Shared>) -> Self {
        shared.recorders.fetch_add(1, Ordering::AcqRel);
        Self { shared }
    }

    /// Polls the event loop once, records what it returned, and returns it.
    /// As safe to cancel as [`EventLoop::poll`].
    pub async fn poll(&self, eventloop: &mut EventLoop) -> Result<Event, ConnectionError> {
        let event = eventloop.poll().await;
        self.record(&event);
        event
    }

    /// Records one result of [`EventLoop::poll`].
    pub fn record(&self, event: &Result<Event, ConnectionError>) {
        let mut link = self.shared.lock();
        link.last_event = Some(Instant::now());

        match event {
            Ok(Event::Incoming(Packet::ConnAck(ack))) if ack.code == ConnectReturnCode::Success => {
                link.state = State::Connected {
                    since: Instant::now(),
                };
                link.connections += 1;
            }
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                let reason = format!("the broker refused the connection: {:?}", ack.code);
                link.last_error = Some(reason.clone());
                link.state = State::Disconnected { reason };
            }
            Ok(Event::Incoming(Packet::Disconnect)) => {
                link.state = State::Disconnected {
                    reason: "the broker closed the connection".to_owned(),
                };
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                link.state = State::Disconnected {
                    reason: "the application disconnected".to_owned(),
                };
            }
            Ok(_) => {}
            Err(error) => {
                let reason = self.shared.redactor.error(error);
                link.last_error = Some(reason.clone());
                link.state = State::Disconnected { reason };
            }
        }
    }
}

impl Clone for MqttRecorder {
    fn clone(&self) -> Self {
        Self::new(self.shared.clone())
    }
}

impl Drop for MqttRecorder {
    fn drop(&mut self) {
        self.shared.recorders.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Link> {
        self.link
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

fn round_tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

impl Check for MqttCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(async move { self.check() })
    }
}

impl Named for MqttCheck {
    fn default_name(&self) -> String {
        "mqtt".to_owned()
    }
}

impl fmt::Debug for MqttCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqttCheck")
            .field("max_silence", &self.max_silence)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for MqttRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqttRecorder").finish_non_exhaustive()
    }
}
