//! What production does to a heartbeat: checks that hang or panic under
//! load, a real dependency going away and coming back, and ten thousand
//! concurrent requests. Every server here is a real one, on 127.0.0.1.

use std::{
    future,
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use futures_util::future::join_all;
use heartbeat_checks::{RedisCheck, SqlCheck};
use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
use heartbeat_tests::{Proxy, Servers, serve_axum};
use http::StatusCode;
use http_body_util::{BodyExt, Empty};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn get(client: &HttpClient, address: SocketAddr, path: &str) -> (StatusCode, Value) {
    let uri = format!("http://{address}/.well-known/heartbeat/{path}");
    let response = client
        .get(uri.parse().expect("a valid URI"))
        .await
        .unwrap_or_else(|error| panic!("GET {uri}: {error}"));
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("{uri} answered non-JSON: {body:?}"));
    (status, body)
}

/// Counts the futures of a check that are alive: created with a run,
/// dropped when the run ends or is abandoned.
struct Alive(Arc<AtomicUsize>);

impl Alive {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_never_completes_leaves_nothing_behind() {
    let (runs, alive) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let hung = {
        let (runs, alive) = (runs.clone(), alive.clone());
        check_fn(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            let alive = Alive::new(&alive);
            async move {
                let _alive = alive;
                future::pending::<Outcome>().await
            }
        })
    };
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .register(
            Registration::new("hung", hung)
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let address = serve_axum(heartbeat).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();

    let client = client();
    for _ in 0..20 {
        let asked = Instant::now();
        let (status, body) = get(&client, address, "readiness").await;
        let waited = asked.elapsed();

        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["checks"]["hung"]["message"], "timed out after 100ms");
        // A generous bound: it tells an answer on time from a hung one,
        // not a fast machine from a slow one.
        assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 20);
    assert_eq!(
        alive.load(Ordering::SeqCst),
        0,
        "abandoned runs still alive"
    );

    // With the client gone, its connections' tasks end; no task is left
    // over from the runs.
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(10);
    while metrics.num_alive_tasks() > tasks_before && Instant::now() < deadline {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        metrics.num_alive_tasks() <= tasks_before,
        "{} tasks alive, {tasks_before} before the requests",
        metrics.num_alive_tasks()
    );
}

fn always_panics() -> Outcome {
    panic!("the pool is poisoned")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_always_panics_fails_every_request_and_nothing_else() {
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .readiness("explodes", check_fn(|| async { always_panics() }))
        .readiness("fine", check_fn(|| async { Outcome::pass() }))
        .liveness("alive", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap();
    let servers = Servers::start(&heartbeat).await;
    let client = client();

    for (adapter, address) in servers.addresses() {
        let answers = join_all((0..300).map(|_| get(&client, address, "readiness"))).await;
        for (status, body) in answers {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{adapter}");
            assert_eq!(
                body["checks"]["explodes"]["message"], "check panicked: the pool is poisoned",
                "{adapter}"
            );
            assert_eq!(body["checks"]["fine"]["status"], true, "{adapter}");
        }
        // Every worker survived: the server still answers.
        let (status, _) = get(&client, address, "liveness").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
    }
    servers.stop().await;
}

/// The heartbeat test server, in a process of its own, so that this one
/// can hold ten thousand client connections.
struct ChildServer {
    child: Child,
    address: SocketAddr,
}

impl ChildServer {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heartbeat-test-server"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("the test server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the test server said {line:?}"));
        Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a connection of its own; the answer's status line and body.
async fn one_request(address: SocketAddr) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(address).await?;
    stream
        .write_all(
            b"GET /.well-known/heartbeat/readiness HTTP/1.1\r\n\
              Host: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.lines().next().unwrap_or_default().to_owned();
    Ok((status, body.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_requests_are_all_answered() {
    let server = ChildServer::start();

    let answers = join_all((0..10_000).map(|_| one_request(server.address))).await;

    let mut wrong = Vec::new();
    for answer in &answers {
        match answer {
            Ok((status, body)) if status == "HTTP/1.1 200 OK" => {
                let body: Value = serde_json::from_str(body).expect("a JSON body");
                let checks = body["checks"].as_object().expect("checks");
                if body["status"] != true || checks.len() != 3 {
                    wrong.push(format!("{body}"));
                }
            }
            other => wrong.push(format!("{other:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of 10000 answers wrong, such as {}",
        wrong.len(),
        wrong[0]
    );
}

fn service(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// `host:port` of a URL.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// `url` pointed at `address` instead.
fn through(url: &str, address: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let user = authority
        .rsplit_once('@')
        .map(|(user, _)| format!("{user}@"))
        .unwrap_or_default();
    format!("{scheme}://{user}{address}{path}")
}

/// Asks until `wanted` holds, for at most `limit`; returns how long it took.
async fn until(
    client: &HttpClient,
    address: SocketAddr,
    path: &str,
    limit: Duration,
    wanted: impl Fn(StatusCode, &Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = get(client, address, path).await;
        if wanted(status, &body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{path} did not change within {limit:?}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_an_outage_of_postgres_and_redis() {
    let postgres_url = service(
        "HEARTBEAT_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    );
    let redis_url = service("HEARTBEAT_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let postgres = Proxy::start(host_port(&postgres_url)).await.unwrap();
    let redis = Proxy::start(host_port(&redis_url)).await.unwrap();

    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&through(&postgres_url, postgres.address()))
        .await
        .expect("PostgreSQL answers through the proxy");
    let connection = redis::Client::open(through(&redis_url, redis.address()))
        .unwrap()
        .get_connection_manager()
        .await
        .expect("Redis answers through the proxy");

    let timeout = Duration::from_millis(300);
    let ttl = Duration::from_millis(200);
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .timeout(timeout)
        .readiness("postgres", SqlCheck::new(pool))
        .readiness("redis", RedisCheck::new(connection))
        .liveness("alive", check_fn(|| async { Outcome::pass() }))
        .cache(Probe::Readiness, ttl)
        .build()
        .unwrap();
    let address = serve_axum(heartbeat).await;
    let client = client();
    let ready = |status: StatusCode, _: &Value| status == StatusCode::OK;
    until(
        &client,
        address,
        "readiness",
        Duration::from_secs(10),
        ready,
    )
    .await;

    for (name, proxy) in [("postgres", &postgres), ("redis", &redis)] {
        proxy.cut().await;
        let failing = |status: StatusCode, body: &Value| {
            status == StatusCode::INTERNAL_SERVER_ERROR && body["checks"][name]["status"] == false
        };
        let took = until(
            &client,
            address,
            "readiness",
            Duration::from_secs(10),
            failing,
        )
        .await;
        eprintln!("{name} cut: readiness failing after {took:?} (limit {timeout:?}, ttl {ttl:?})");
        // The first run after the kept report expires sees the outage and
        // ends within the time limit; the margin absorbs a busy machine.
        assert!(
            took <= timeout + ttl + Duration::from_secs(2),
            "{name}: readiness took {took:?} to fail"
        );

        let (status, _) = get(&client, address, "liveness").await;
        assert_eq!(status, StatusCode::OK, "liveness is not about {name}");

        proxy.restore().await;
        let took = until(
            &client,
            address,
            "readiness",
            Duration::from_secs(15),
            ready,
        )
        .await;
        eprintln!("{name} restored: readiness passing after {took:?}");
    }
}
