//! The heartbeat example service on axum: a `/` route, and the heartbeat's
//! endpoints, whose readiness probe checks the service's database.
//!
//! ```sh
//! cargo run -p example-axum
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
//! The same service runs on actix-web (`example-actix`) and warp
//! (`example-warp`).

use std::error::Error;

use axum::{Router, routing::get};
use heartbeat_axum::{Heartbeat, probe};
use heartbeat_checks::SqlCheck;
use tokio::net::TcpListener;

#[path = "../../service.rs"]
mod service;

/// Alive while the service answers requests at all.
#[probe(liveness)]
async fn serving() -> bool {
    true
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    service::init_logging();

    // Ready when the database answers a query; the environ page shows what
    // this binary was built from (see build.rs).
    let heartbeat = Heartbeat::builder()
        .readiness("database", SqlCheck::new(service::database_pool()?))
        .build_info(heartbeat_axum::build_info!())
        .drain(service::drain()?)
        .build()?;
    let prefix = heartbeat.prefix().to_owned();
    // On Ctrl-C or SIGTERM, readiness fails at once; once the drain delay
    // has passed, the server stops.
    let stop = {
        let heartbeat = heartbeat.clone();
        async move {
            service::stop_signal().await;
            heartbeat.shutdown().await;
        }
    };
    let app = Router::new()
        .route("/", get(|| async { "Hello from axum!\n" }))
        .merge(heartbeat_axum::router(heartbeat));

    let host = service::host();
    let listener = TcpListener::bind((host.as_str(), service::port()?)).await?;
    service::announce(listener.local_addr()?, &prefix);

    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await?;
    tracing::info!("stopped");
    Ok(())
}
