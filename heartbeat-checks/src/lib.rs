//! Prebuilt heartbeat checks for the dependencies a service usually has:
//! SQL databases, Redis, RabbitMQ, NATS, MQTT, HTTP upstreams, TCP ports,
//! DNS names, disk space and memory. Each sits behind a cargo feature of its
//! own, and none is on by default: a service compiles only what it uses.
//!
//! ```no_run
//! # #[cfg(all(feature = "postgres", feature = "disk"))]
//! # mod example {
//! use std::time::Duration;
//!
//! use heartbeat_checks::{DiskCheck, Named, SqlCheck};
//! use heartbeat_core::{Heartbeat, Probe};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
//!
//! let heartbeat = Heartbeat::builder()
//!     .readiness("database", SqlCheck::new(pool.clone()))
//!     .register(
//!         DiskCheck::new("/var/lib/app")
//!             .min_available(1 << 30)
//!             .registration()
//!             .probes([Probe::Readiness, Probe::Liveness])
//!             .timeout(Duration::from_millis(200)),
//!     )
//!     .build()?;
//! # let _ = heartbeat;
//! # Ok(())
//! # }
//! # }
//! ```
//!
//! # Features
//!
//! | feature | check | through |
//! | --- | --- | --- |
//! | `postgres`, `mysql`, `sqlite` | [`SqlCheck`]: `SELECT 1` on a pooled connection | sqlx 0.9 `Pool` (and `AnyPool` with any of the three) |
//! | `redis` | [`RedisCheck`]: `PING` | redis 1.x `ConnectionManager` or another async connection |
//! | `amqp` | [`AmqpCheck`]: connection state, optionally a passive queue declaration | lapin 4.x `Connection`, on Tokio |
//! | `nats` | [`NatsCheck`]: connection state and a round trip to the server | async-nats 0.52 `Client` |
//! | `mqtt` | [`MqttCheck`]: connection state, as the event loop reports it | rumqttc 0.25 `EventLoop`, via [`MqttRecorder`] |
//! | `http` | [`HttpCheck`]: a `GET` answered with an expected status; [`ElasticsearchCheck`]: `_cluster/health` | reqwest 0.13 `Client` (rustls) |
//! | `tcp` | [`TcpCheck`]: a port accepts connections | Tokio |
//! | `dns` | [`DnsCheck`]: a host name resolves | Tokio, the system's resolver |
//! | `disk` | [`DiskCheck`]: space available on a file system | fs4 |
//! | `memory` | [`MemoryCheck`]: memory available to the process | `/proc` and cgroup v2, Linux only |
//!
//! A check that goes through a client library takes the application's own
//! client or pool, of the same release as this crate's: the check then
//! watches the very connections the service uses, and opens no connection
//! of its own. This crate turns on no TLS in those libraries, except rustls
//! (with aws-lc-rs) for reqwest and async-nats, which always has TLS; the
//! features the application turns on add to these.
//!
//! # What every check does
//!
//! - It runs once per probe request, under the heartbeat's time limit, and
//!   stops cleanly when the heartbeat drops it at that limit: nothing it
//!   started keeps running, except a blocking system call already under way
//!   (the name lookup of [`DnsCheck`], the file system query of
//!   [`DiskCheck`]), which ends on its own.
//! - On success it shows what it measured (`latency_ms`, versions, sizes);
//!   on failure its `message` says what failed.
//! - It never shows a credential. Every message has the user information
//!   and query of any URL in it removed, and a check that knows its URL
//!   names the upstream by scheme, host and port only.
//! - [`Named`] gives each a default name, the kind of dependency it checks.
//!
//! # Testing
//!
//! `cargo test -p heartbeat-checks --all-features` runs each check against
//! a real service on this machine, and through a TCP proxy owned by the
//! test which it then cuts, to see the check fail. The services are found
//! at these addresses unless the variables say otherwise:
//!
//! | variable | default |
//! | --- | --- |
//! | `HEARTBEAT_TEST_POSTGRES_URL` | `postgres://postgres@127.0.0.1:5432/test` |
//! | `HEARTBEAT_TEST_MYSQL_URL` | `mysql://root@127.0.0.1:3306/test` |
//! | `HEARTBEAT_TEST_REDIS_URL` | `redis://127.0.0.1:6379` |
//! | `HEARTBEAT_TEST_AMQP_URL` | `amqp://guest:guest@127.0.0.1:5672/%2f` |
//! | `HEARTBEAT_TEST_NATS_URL` | `nats://127.0.0.1:4222` |
//! | `HEARTBEAT_TEST_MQTT_ADDR` | `127.0.0.1:1883` |
//!
//! # Limitations
//!
//! - [`MemoryCheck`] works on Linux only, and reads cgroup v2, not v1.
//! - [`MqttCheck`] follows rumqttc's MQTT 3.1.1 client; its MQTT 5 client
//!   (`rumqttc::v5`) is not supported yet.
//! - [`DnsCheck`] asks the system's resolver, which cannot be interrupted:
//!   a lookup that hangs holds one of Tokio's blocking threads until the
//!   resolver gives up.

#[cfg(feature = "amqp")]
mod amqp;
#[cfg(any(feature = "disk", feature = "memory"))]
mod capacity;
#[cfg(feature = "disk")]
mod disk;
#[cfg(feature = "dns")]
mod dns;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "mqtt")]
mod mqtt;
#[cfg(feature = "nats")]
mod nats;
#[cfg(any(
    feature = "postgres",
    feature = "mysql",
    feature = "sqlite",
    feature = "redis",
    feature = "amqp",
    feature = "nats",
    feature = "mqtt",
    feature = "http",
    feature = "tcp",
))]
mod redact;
#[cfg(feature = "redis")]
mod redis;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
mod sql;
#[cfg(feature = "tcp")]
mod tcp;

#[cfg(feature = "amqp")]
pub use amqp::AmqpCheck;
#[cfg(feature = "disk")]
pub use disk::DiskCheck;
#[cfg(feature = "dns")]
pub use dns::DnsCheck;
#[cfg(feature = "http")]
pub use http::{ElasticsearchCheck, HttpCheck};
#[cfg(feature = "memory")]
pub use memory::MemoryCheck;
#[cfg(feature = "mqtt")]
pub use mqtt::{MqttCheck, MqttRecorder};
#[cfg(feature = "nats")]
pub use nats::{DEFAULT_ROUND_TRIP_TIMEOUT, NatsCheck};
#[cfg(feature = "redis")]
pub use redis::RedisCheck;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub use sql::{DEFAULT_ACQUIRE_TIMEOUT, SqlCheck, SqlDatabase};
#[cfg(feature = "tcp")]
pub use tcp::TcpCheck;

use heartbeat_core::{Check, Registration};

/// A prebuilt check's default name, for a service with one dependency of
/// its kind.
///
/// ```
/// # #[cfg(feature = "memory")] {
/// use heartbeat_checks::{MemoryCheck, Named};
/// use heartbeat_core::{Heartbeat, Probe};
///
/// let memory = MemoryCheck::new();
/// assert_eq!(memory.default_name(), "memory");
///
/// let heartbeat = Heartbeat::builder()
///     .register(memory.registration().probes([Probe::Liveness]))
///     .build()
///     .unwrap();
/// assert_eq!(heartbeat.check_names(Probe::Liveness).collect::<Vec<_>>(), ["memory"]);
/// # }
/// ```
pub trait Named: Check + Sized {
    /// The kind of dependency checked (`postgres`, `redis`, `disk`); for a
    /// TCP check, the address.
    fn default_name(&self) -> String;

    /// A registration of the check under its default name; add its probes
    /// with [`Registration::probes`].
    fn registration(self) -> Registration {
        Registration::new(self.default_name(), self)
    }
}

/// A duration in milliseconds, to the microsecond, as the heartbeat shows
/// `duration_ms`.
#[allow(dead_code, reason = "the checks that use it are all behind features")]
fn latency_ms(duration: std::time::Duration) -> f64 {
    duration.as_micros() as f64 / 1000.0
}
