//! What the three example services share apart from their framework: the
//! settings they read from the environment, their database, their log, and
//! the signals that stop them. Each example includes this file as its
//! `service` module.

use std::{env, net::SocketAddr, time::Duration};

use sqlx::{AnyPool, any::AnyPoolOptions};
use tokio::signal;
use tracing_subscriber::EnvFilter;

/// Logs to standard output, at the level `RUST_LOG` gives (`info` unless
/// set).
pub(crate) fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

/// The pool of `DATABASE_URL`, or of an in-memory SQLite database. It
/// connects on first use, so the service starts while the database is down,
/// and says so on its readiness probe.
pub(crate) fn database_pool() -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let scheme = url.split(':').next().unwrap_or_default();
    tracing::info!(scheme, "database");
    AnyPoolOptions::new().max_connections(4).connect_lazy(&url)
}

/// The address to listen on: `HOST`, or `127.0.0.1`.
pub(crate) fn host() -> String {
    env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned())
}

/// The port to listen on: `PORT`, or 8080.
pub(crate) fn port() -> Result<u16, String> {
    match env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a number from 0 to 65535, not {port:?}")),
        Err(_) => Ok(8080),
    }
}

/// How long to keep answering, readiness failing, before stopping:
/// `DRAIN_SECONDS`, or one second.
pub(crate) fn drain() -> Result<Duration, String> {
    match env::var("DRAIN_SECONDS") {
        Ok(seconds) => seconds
            .parse::<f64>()
            .ok()
            .and_then(|parsed| Duration::try_from_secs_f64(parsed).ok())
            .ok_or_else(|| format!("DRAIN_SECONDS must be a number of seconds, not {seconds:?}")),
        Err(_) => Ok(Duration::from_secs(1)),
    }
}

/// Prints where the service listens and the URLs of its endpoints.
pub(crate) fn announce(address: SocketAddr, prefix: &str) {
    println!("listening on http://{address}");
    println!("  http://{address}/");
    for endpoint in ["readiness", "liveness", "environ"] {
        println!("  http://{address}{prefix}/{endpoint}");
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub(crate) async fn stop_signal() {
    let interrupt = async {
        if signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
