//! Servers for the end-to-end tests: the same heartbeat on each adapter,
//! beside an application route.

use std::net::SocketAddr;

use heartbeat_core::Heartbeat;
use tokio::net::TcpListener;

/// The body of the application's own route `/`, served beside the heartbeat.
pub const HELLO: &str = "hello";

/// One server per adapter, each serving the heartbeat beside an application
/// route `/` on an ephemeral port of 127.0.0.1.
pub struct Servers {
    /// Where the axum server listens.
    pub axum: SocketAddr,
    /// Where the actix-web server listens.
    pub actix: SocketAddr,
    actix_handle: actix_web::dev::ServerHandle,
    /// Where the warp server listens.
    pub warp: SocketAddr,
}

impl Servers {
    /// Starts the three servers.
    pub async fn start(heartbeat: &Heartbeat) -> Self {
        let axum = serve_axum(heartbeat.clone()).await;
        let (actix, actix_handle) = serve_actix(heartbeat.clone()).await;
        let warp = serve_warp(heartbeat.clone()).await;
        Self {
            axum,
            actix,
            actix_handle,
            warp,
        }
    }

    /// Each server's adapter and address.
    pub fn addresses(&self) -> [(&'static str, SocketAddr); 3] {
        [
            ("axum", self.axum),
            ("actix-web", self.actix),
            ("warp", self.warp),
        ]
    }

    /// Stops the actix-web server, which runs on threads of its own; the
    /// others end with the test's runtime.
    pub async fn stop(self) {
        self.actix_handle.stop(false).await;
    }
}

/// Serves the heartbeat and `/` with axum on the current runtime.
pub async fn serve_axum(heartbeat: Heartbeat) -> SocketAddr {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { HELLO }))
        .merge(heartbeat_axum::router(heartbeat));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// Serves the heartbeat and `/` with warp on the current runtime.
pub async fn serve_warp(heartbeat: Heartbeat) -> SocketAddr {
    use warp::Filter;

    // The heartbeat first, so that the application's route is reached only
    // through its rejection.
    let routes = heartbeat_warp::filter(heartbeat).or(warp::path::end().map(|| HELLO));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(warp::serve(routes).incoming(listener).run());
    address
}

/// Serves the heartbeat and `/` with actix-web, which runs its own runtime,
/// on a thread of its own.
pub async fn serve_actix(heartbeat: Heartbeat) -> (SocketAddr, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpServer, web};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let (handle_sender, handle) = tokio::sync::oneshot::channel();

    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .route("/", web::get().to(|| async { HELLO }))
                    .configure(heartbeat_actix::config(heartbeat.clone()))
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("a listening socket")
            .run();
            let _ = handle_sender.send(server.handle());
            server.await
        })
    });

    (address, handle.await.expect("the actix-web server started"))
}
