//! The lifecycle over real HTTP, through every adapter: the startup probe,
//! a graceful shutdown from the moment readiness fails to the moment the
//! server stops, taking the instance out of service, and a check that is
//! not critical.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{FutureExt, future::BoxFuture};
use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, SERVICE_CHECK, check_fn};
use heartbeat_tests::{HELLO, HttpClient, Servers, serve_actix};
use http::StatusCode;
use serde_json::json;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

#[derive(Debug, Clone, Copy)]
enum Adapter {
    Axum,
    Actix,
    Warp,
}

impl Adapter {
    const ALL: [Adapter; 3] = [Adapter::Axum, Adapter::Actix, Adapter::Warp];

    /// Serves the heartbeat beside `/` until `signal` resolves, then stops
    /// gracefully, as the examples do; the handle ends when the server has
    /// stopped.
    async fn serve(
        self,
        heartbeat: Heartbeat,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> (SocketAddr, JoinHandle<()>) {
        match self {
            Adapter::Axum => {
                let app = axum::Router::new()
                    .route("/", axum::routing::get(|| async { HELLO }))
                    .merge(heartbeat_axum::router(heartbeat));
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let address = listener.local_addr().unwrap();
                let server = axum::serve(listener, app).with_graceful_shutdown(signal);
                let stopped = tokio::spawn(async move { server.await.unwrap() });
                (address, stopped)
            }
            Adapter::Warp => {
                use warp::Filter;

                let routes = heartbeat_warp::filter(heartbeat).or(warp::path::end().map(|| HELLO));
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let address = listener.local_addr().unwrap();
                let server = warp::serve(routes)
                    .incoming(listener)
                    .graceful(signal)
                    .run();
                (address, tokio::spawn(server))
            }
            Adapter::Actix => {
                let (address, handle) = serve_actix(heartbeat).await;
                let stopped = tokio::spawn(async move {
                    signal.await;
                    handle.stop(true).await;
                });
                (address, stopped)
            }
        }
    }
}

/// Waits until nothing listens on `address` any more.
async fn refused(address: SocketAddr) {
    let closed = async {
        while tokio::net::TcpStream::connect(address).await.is_ok() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), closed)
        .await
        .unwrap_or_else(|_| panic!("{address} still accepts connections"));
}

#[tokio::test]
async fn shutdown_fails_readiness_keeps_liveness_and_stops_the_server_after_the_drain() {
    const DRAIN: Duration = Duration::from_millis(300);
    let client = HttpClient::without_idle_connections();

    for adapter in Adapter::ALL {
        let heartbeat = Heartbeat::builder()
            .without_declared()
            .readiness("database", check_fn(|| async { Outcome::pass() }))
            .liveness("loop", check_fn(|| async { Outcome::pass() }))
            .drain(DRAIN)
            .build()
            .unwrap();

        // The application's signal handler: on SIGTERM, start the
        // heartbeat's shutdown and stop the server once it resolves. Here
        // the test plays the signal, and hands the drain to the server only
        // after its requests, so that the server is up for them however
        // slow the machine is.
        let (drain_sender, drain) = oneshot::channel::<BoxFuture<'static, ()>>();
        let signal = async move { drain.await.expect("the test sends the drain").await };
        let (address, stopped) = adapter.serve(heartbeat.clone(), signal).await;

        let (status, _) = client.get_json(address, "readiness").await;
        assert_eq!(status, StatusCode::OK, "{adapter:?}");

        let started = Instant::now();
        let drained = heartbeat.shutdown();

        let (status, readiness) = client.get_json(address, "readiness").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{adapter:?}");
        assert_eq!(readiness["status"], false, "{adapter:?}");
        assert_eq!(
            readiness["checks"][SERVICE_CHECK]["message"], "shutting down",
            "{adapter:?}"
        );
        assert_eq!(
            readiness["checks"]["database"]["status"], true,
            "{adapter:?}"
        );

        let (status, liveness) = client.get_json(address, "liveness").await;
        assert_eq!(status, StatusCode::OK, "{adapter:?}");
        assert_eq!(liveness["status"], true, "{adapter:?}");

        drain_sender
            .send(drained.boxed())
            .unwrap_or_else(|_| panic!("{adapter:?}: the server awaits the drain"));
        stopped.await.unwrap();
        assert!(
            started.elapsed() >= DRAIN,
            "{adapter:?} stopped before the drain ended"
        );
        refused(address).await;
    }
}

#[tokio::test]
async fn startup_fails_until_its_checks_pass_then_passes_for_good() {
    let client = HttpClient::without_idle_connections();
    let migrated = Arc::new(AtomicBool::new(false));
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .startup("migrations", {
            let migrated = migrated.clone();
            check_fn(move || {
                let done = migrated.load(Ordering::SeqCst);
                async move {
                    if done {
                        Outcome::pass()
                    } else {
                        Outcome::fail("migrations pending")
                    }
                }
            })
        })
        .build()
        .unwrap();
    let servers = Servers::start(&heartbeat).await;

    for (adapter, address) in servers.addresses() {
        let (status, body) = client.get_json(address, "startup").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{adapter}");
        assert_eq!(
            body["checks"]["migrations"]["message"], "migrations pending",
            "{adapter}"
        );
    }

    migrated.store(true, Ordering::SeqCst);
    let (status, _) = client.get_json(servers.axum, "startup").await;
    assert_eq!(status, StatusCode::OK);

    // Latched: the check failing again changes nothing, on any adapter.
    migrated.store(false, Ordering::SeqCst);
    for (adapter, address) in servers.addresses() {
        let (status, body) = client.get_json(address, "startup").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
        assert_eq!(body["checks"]["migrations"]["status"], true, "{adapter}");
    }

    servers.stop().await;
}

#[tokio::test]
async fn out_of_service_fails_readiness_until_back_in_service() {
    let client = HttpClient::without_idle_connections();
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .readiness("database", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap();
    let servers = Servers::start(&heartbeat).await;

    heartbeat.set_out_of_service("maintenance");
    for (adapter, address) in servers.addresses() {
        let (status, body) = client.get_json(address, "readiness").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{adapter}");
        assert_eq!(
            body["checks"][SERVICE_CHECK],
            json!({"status": false, "duration_ms": 0.0, "message": "out of service: maintenance"}),
            "{adapter}"
        );
        let (status, _) = client.get_json(address, "liveness").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
    }

    heartbeat.set_in_service();
    for (adapter, address) in servers.addresses() {
        let (status, body) = client.get_json(address, "readiness").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
        assert!(body["checks"].get(SERVICE_CHECK).is_none(), "{adapter}");
    }

    servers.stop().await;
}

#[tokio::test]
async fn a_failing_check_that_is_not_critical_degrades_readiness_without_failing_it() {
    let client = HttpClient::without_idle_connections();
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .register(
            Registration::new("cache", check_fn(|| async { Outcome::fail("evicting") }))
                .probes([Probe::Readiness])
                .critical(false),
        )
        .readiness("database", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap();
    let servers = Servers::start(&heartbeat).await;

    for (adapter, address) in servers.addresses() {
        let (status, body) = client.get_json(address, "readiness").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
        assert_eq!(body["status"], true, "{adapter}");
        assert_eq!(body["degraded"], true, "{adapter}");
        let cache = &body["checks"]["cache"];
        assert_eq!(
            (&cache["status"], &cache["critical"], &cache["message"]),
            (&json!(false), &json!(false), &json!("evicting")),
            "{adapter}"
        );
    }

    servers.stop().await;
}
