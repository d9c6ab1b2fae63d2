//! The heartbeat example service on actix-web: a `/` route, and the
//! heartbeat's endpoints, whose readiness probe checks the service's
//! database.
//!
//! ```sh
//! cargo run -p example-actix
//! curl -i http://127.0.0.1:8080/.well-known/heartbeat/readiness
//! ```
//!
//! | variable | default | |
//! | --- | --- | --- |
//! | `PORT` | `8080` | the port to listen on |
//! | `HOST` | `127.0.0.1` | the address to listen on (`0.0.0.0`: every interface) |
//! | `DATABASE_URL` | an in-memory SQLite database | a `postgres://` or `mysql://` server to use instead |
//! | `RUST_LOG` | `info` | what to log |
//! | `DRAIN_SECONDS` | `1` | how long it keeps answering after Ctrl-C or SIGTERM, readiness failing, before it stops; behind a Kubernetes service, 5 or more |
//!
//! Ctrl-C or SIGTERM shuts it down gracefully: readiness fails at once (its
//! `in_service` entry saying "shutting down") while liveness still passes;
//! the service keeps answering for `DRAIN_SECONDS`, so that load balancers
//! stop sending it requests; then it stops once the requests in flight are
//! answered.
//! The same service runs on axum (`example-axum`) and warp
//! (`example-warp`).

use std::{env, error::Error, net::SocketAddr, time::Duration};

use actix_web::{App, HttpServer, rt::signal, web};
use heartbeat_actix::{Heartbeat, probe};
use heartbeat_checks::SqlCheck;
use sqlx::{AnyPool, any::AnyPoolOptions};
use tracing_subscriber::EnvFilter;

/// Alive while the service answers requests at all.
#[probe(liveness)]
async fn serving() -> bool {
    true
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    // Ready when the database answers a query; the environ page shows what
    // this binary was built from (see build.rs).
    let heartbeat = Heartbeat::builder()
        .readiness("database", SqlCheck::new(database_pool()?))
        .build_info(heartbeat_actix::build_info!())
        .drain(drain()?)
        .build()?;
    let prefix = heartbeat.prefix().to_owned();
    let stop = shutdown(heartbeat.clone());
    let app = move || {
        App::new()
            .route("/", web::get().to(|| async { "Hello from actix-web!\n" }))
            .configure(heartbeat_actix::config(heartbeat.clone()))
    };

    let host = env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    // Left to itself, actix-web stops gracefully on SIGTERM but not on
    // Ctrl-C.
    let server = HttpServer::new(app)
        .shutdown_signal(stop)
        .bind((host.as_str(), port()?))?;
    for address in server.addrs() {
        announce(address, &prefix);
    }

    server.run().await?;
    tracing::info!("stopped");
    Ok(())
}

/// The pool of `DATABASE_URL`, or of an in-memory SQLite database. It
/// connects on first use, so the service starts while the database is down,
/// and says so on its readiness probe.
fn database_pool() -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let scheme = url.split(':').next().unwrap_or_default();
    tracing::info!(scheme, "database");
    AnyPoolOptions::new().max_connections(4).connect_lazy(&url)
}

fn port() -> Result<u16, String> {
    match env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a number from 0 to 65535, not {port:?}")),
        Err(_) => Ok(8080),
    }
}

/// How long to keep answering, readiness failing, before stopping.
fn drain() -> Result<Duration, String> {
    match env::var("DRAIN_SECONDS") {
        Ok(seconds) => seconds
            .parse::<f64>()
            .ok()
            .and_then(|parsed| Duration::try_from_secs_f64(parsed).ok())
            .ok_or_else(|| format!("DRAIN_SECONDS must be a number of seconds, not {seconds:?}")),
        Err(_) => Ok(Duration::from_secs(1)),
    }
}

fn announce(address: SocketAddr, prefix: &str) {
    println!("listening on http://{address}");
    println!("  http://{address}/");
    for endpoint in ["readiness", "liveness", "environ"] {
        println!("  http://{address}{prefix}/{endpoint}");
    }
}

/// On Ctrl-C or, on Unix, SIGTERM, starts the heartbeat's shutdown
/// (readiness fails at once), and resolves when its drain delay has passed:
/// then the server stops.
async fn shutdown(heartbeat: Heartbeat) {
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

    futures_util::future::select(std::pin::pin!(interrupt), std::pin::pin!(terminate)).await;
    heartbeat.shutdown().await;
}
