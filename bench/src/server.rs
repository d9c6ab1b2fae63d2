//! The servers under measurement: the heartbeat on each framework, and a
//! bare handler on the same framework answering the same bytes.

use std::{
    fmt,
    io::Write,
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::body::Bytes;
use heartbeat_axum::{Heartbeat, Outcome, Probe, Request, check_fn};

const READINESS: &str = "/.well-known/heartbeat/readiness";

#[derive(Clone, Copy)]
pub(crate) enum Framework {
    Axum,
    Actix,
    Warp,
}

impl Framework {
    pub(crate) const ALL: [Framework; 3] = [Framework::Axum, Framework::Actix, Framework::Warp];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Actix => "actix",
            Framework::Warp => "warp",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Variant {
    /// The heartbeat with no checks.
    Empty,
    /// The heartbeat with three trivial readiness checks.
    Three,
    /// A bare handler answering what `Empty` answers.
    BareEmpty,
    /// A bare handler answering what `Three` answers.
    BareThree,
    /// One counted readiness check behind a one-second time to live, and
    /// `/runs` telling how many times it ran.
    Storm,
}

impl Variant {
    const ALL: [Variant; 5] = [
        Variant::Empty,
        Variant::Three,
        Variant::BareEmpty,
        Variant::BareThree,
        Variant::Storm,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Variant::Empty => "empty",
            Variant::Three => "three",
            Variant::BareEmpty => "bare-empty",
            Variant::BareThree => "bare-three",
            Variant::Storm => "storm",
        }
    }
}

/// What a server answers with.
enum App {
    Heartbeat(Heartbeat),
    /// The readiness body to answer with.
    Bare(Bytes),
}

fn trivial() -> impl heartbeat_axum::Check {
    check_fn(|| async { Outcome::pass() })
}

fn heartbeat(variant: Variant, runs: &Arc<AtomicU64>) -> Heartbeat {
    let builder = Heartbeat::builder().without_declared();
    let builder = match variant {
        Variant::Empty | Variant::BareEmpty => builder,
        Variant::Three | Variant::BareThree => builder
            .readiness("cache", trivial())
            .readiness("database", trivial())
            .readiness("queue", trivial()),
        Variant::Storm => {
            let runs = runs.clone();
            builder
                .readiness(
                    "counted",
                    check_fn(move || {
                        runs.fetch_add(1, Ordering::Relaxed);
                        async { Outcome::pass() }
                    }),
                )
                .cache(Probe::Readiness, Duration::from_secs(1))
        }
    };
    builder.build().expect("a valid heartbeat")
}

/// Runs one server until the process is killed. Its first line on standard
/// output is `listening on <port>`.
pub(crate) fn serve(framework: &str, variant: &str) -> ExitCode {
    let framework = Framework::ALL.into_iter().find(|f| f.name() == framework);
    let variant = Variant::ALL.into_iter().find(|v| v.name() == variant);
    let (Some(framework), Some(variant)) = (framework, variant) else {
        eprintln!("usage: heartbeat-bench serve <axum|actix|warp> <variant>");
        return ExitCode::FAILURE;
    };

    let runs = Arc::new(AtomicU64::new(0));
    let heartbeat = heartbeat(variant, &runs);
    let app = match variant {
        Variant::BareEmpty | Variant::BareThree => App::Bare(answer_of(&heartbeat)),
        _ => App::Heartbeat(heartbeat),
    };

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking socket");
    let port = listener.local_addr().expect("a bound socket").port();
    println!("listening on {port}");
    std::io::stdout().flush().expect("stdout");

    match framework {
        Framework::Axum => runtime().block_on(axum_server(listener, app, runs)),
        Framework::Warp => runtime().block_on(warp_server(listener, app, runs)),
        Framework::Actix => actix_server(listener, app, runs),
    }
    ExitCode::SUCCESS
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// What the heartbeat answers to readiness, for the bare handler to repeat.
fn answer_of(heartbeat: &Heartbeat) -> Bytes {
    let response = runtime().block_on(heartbeat.handle(&Request::new("GET", READINESS)));
    response.into_body()
}

async fn axum_server(listener: std::net::TcpListener, app: App, runs: Arc<AtomicU64>) {
    use axum::{Router, http::header, routing::get};

    let router = match app {
        App::Heartbeat(heartbeat) => heartbeat_axum::router(heartbeat),
        App::Bare(body) => Router::new().route(
            READINESS,
            get(move || {
                let body = body.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (header::CACHE_CONTROL, "no-store"),
                        ],
                        body,
                    )
                }
            }),
        ),
    };
    let router = router.route(
        "/runs",
        get(move || async move { runs.load(Ordering::Relaxed).to_string() }),
    );
    let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
    axum::serve(listener, router)
        .await
        .expect("the server runs");
}

async fn warp_server(listener: std::net::TcpListener, app: App, runs: Arc<AtomicU64>) {
    use warp::Filter;

    let counted = warp::path("runs").map(move || runs.load(Ordering::Relaxed).to_string());
    let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
    match app {
        App::Heartbeat(heartbeat) => {
            let routes = heartbeat_warp::filter(heartbeat).or(counted);
            warp::serve(routes).incoming(listener).run().await;
        }
        App::Bare(body) => {
            // Served for the life of the process, like a static asset.
            let body: &'static [u8] = body.to_vec().leak();
            let bare = warp::path!(".well-known" / "heartbeat" / "readiness")
                .and(warp::get())
                .map(move || {
                    let reply = warp::reply::with_header(body, "cache-control", "no-store");
                    warp::reply::with_header(reply, "content-type", "application/json")
                });
            warp::serve(bare.or(counted)).incoming(listener).run().await;
        }
    }
}

fn actix_server(listener: std::net::TcpListener, app: App, runs: Arc<AtomicU64>) {
    use actix_web::{App as ActixApp, HttpResponse, HttpServer, web};

    let app = Arc::new(app);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            let runs = runs.clone();
            let counted = web::get().to(move || {
                let runs = runs.clone();
                async move { runs.load(Ordering::Relaxed).to_string() }
            });
            let base = ActixApp::new().route("/runs", counted);
            match &*app {
                App::Heartbeat(heartbeat) => {
                    base.configure(heartbeat_actix::config(heartbeat.clone()))
                }
                App::Bare(body) => {
                    let body = body.clone();
                    base.route(
                        READINESS,
                        web::get().to(move || {
                            let body = body.clone();
                            async move {
                                HttpResponse::Ok()
                                    .insert_header(("content-type", "application/json"))
                                    .insert_header(("cache-control", "no-store"))
                                    .body(body)
                            }
                        }),
                    )
                }
            }
        })
        .workers(1)
        .listen(listener)
        .expect("a listener")
        .run()
        .await
        .expect("the server runs");
    });
}
