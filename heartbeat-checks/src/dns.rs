//! A host name that resolves.

use std::{fmt, net::IpAddr, time::Instant};

use heartbeat_core::{BoxFuture, Check, Outcome};

use crate::{Named, latency_ms};

/// Checks that a host name resolves to at least one address, through the
/// system's resolver (`getaddrinfo`, as the application's own connections
/// do).
///
/// On success the data holds `host`, the `addresses` it resolved to, and
/// `latency_ms`. The lookup runs on Tokio's blocking threads: when the
/// check's time limit passes the check answers at once, but the lookup
/// itself runs until the resolver gives up.
///
/// ```no_run
/// use heartbeat_checks::DnsCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let heartbeat = Heartbeat::builder()
///     .readiness("dns", DnsCheck::new("db.internal"))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct DnsCheck {
    host: String,
}

impl DnsCheck {
    /// A check that `host` resolves.
    pub fn new(host: impl Into<String>) -> Self {
        Self { host: host.into() }
    }

    async fn check(&self) -> Outcome {
        let started = Instant::now();
        let resolved = tokio::net::lookup_host((self.host.as_str(), 0)).await;
        let latency = latency_ms(started.elapsed());

        let mut addresses: Vec<IpAddr> = match resolved {
            Ok(addresses) => addresses.map(|address| address.ip()).collect(),
            Err(error) => {
                return Outcome::fail(format!("cannot resolve {}: {error}", self.host))
                    .with("host", self.host.as_str());
            }
        };
        addresses.sort();
        addresses.dedup();

        if addresses.is_empty() {
            return Outcome::fail(format!("{} resolves to no address", self.host))
                .with("host", self.host.as_str());
        }
        let addresses: Vec<String> = addresses.iter().map(ToString::to_string).collect();
        Outcome::pass()
            .with("host", self.host.as_str())
            .with("addresses", addresses)
            .with("latency_ms", latency)
    }
}

impl Check for DnsCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for DnsCheck {
    fn default_name(&self) -> String {
        "dns".to_owned()
    }
}

impl fmt::Debug for DnsCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsCheck")
            .field("host", &self.host)
            .finish()
    }
}
