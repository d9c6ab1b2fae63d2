//! A TCP port that accepts connections.

use std::time::Instant;

use heartbeat_core::{BoxFuture, Check, Outcome};
use tokio::net::TcpStream;

use crate::{Named, latency_ms, redact::Redactor};

/// Checks that a TCP port accepts connections: connects, then closes at
/// once without sending anything.
///
/// For a dependency that has no client in the application, or whose client
/// keeps no connection to watch. The address is `host:port`; a host name is
/// resolved on each run, and each address it resolves to is tried in turn.
///
/// On success the data holds `address` (as given), `peer` (the address that
/// accepted) and `latency_ms` (of the name lookup and the connection).
///
/// ```no_run
/// use heartbeat_checks::TcpCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let heartbeat = Heartbeat::builder()
///     .readiness("smtp", TcpCheck::new("mail.internal:25"))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TcpCheck {
    address: String,
    redactor: Redactor,
}

impl TcpCheck {
    /// A check of `address`, as `host:port`.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            redactor: Redactor::new(),
        }
    }

    async fn check(&self) -> Outcome {
        let started = Instant::now();
        match TcpStream::connect(self.address.as_str()).await {
            Ok(stream) => {
                let latency = latency_ms(started.elapsed());
                let outcome = Outcome::pass()
                    .with("address", self.address.as_str())
                    .with("latency_ms", latency);
                match stream.peer_addr() {
                    Ok(peer) => outcome.with("peer", peer.to_string()),
                    Err(_) => outcome,
                }
            }
            Err(error) => Outcome::fail(format!(
                "cannot connect to {}: {}",
                self.address,
                self.redactor.error(&error)
            ))
            .with("address", self.address.as_str()),
        }
    }
}

impl Check for TcpCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for TcpCheck {
    fn default_name(&self) -> String {
        self.address.clone()
    }
}
