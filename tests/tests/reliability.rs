//! What production does to a heartbeat: checks that hang or panic under
//! load, a real dependency going away and coming back, and ten thousand
//! concurrent requests. Every server here is a real one, on 127.0.0.1.

use std::{
    future,
    net::SocketAddr,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::future::join_all;
use heartbeat_checks::{RedisCheck, SqlCheck};
use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, check_fn};
use heartbeat_tests::{
    ChildServer, HttpClient, Proxy, Servers, host_port, redirect, serve_axum, service,
};
use http::StatusCode;
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

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

    let client = HttpClient::new();
    for _ in 0..20 {
        let asked = Instant::now();
        let (status, body) = client.get_json(address, "readiness").await;
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
    let client = HttpClient::new();

    for (adapter, address) in servers.addresses() {
        let answers = join_all((0..300).map(|_| client.get_json(address, "readiness"))).await;
        for (status, body) in answers {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{adapter}");
            assert_eq!(
                body["checks"]["explodes"]["message"], "check panicked: the pool is poisoned",
                "{adapter}"
            );
            assert_eq!(body["checks"]["fine"]["status"], true, "{adapter}");
        }
        // Every worker survived: the server still answers.
        let (status, _) = client.get_json(address, "liveness").await;
        assert_eq!(status, StatusCode::OK, "{adapter}");
    }
    servers.stop().await;
}

const CONNECTIONS: usize = 1_000;
const REQUESTS_PER_CONNECTION: usize = 10;

/// Sends `count` requests at once on one connection (HTTP/1.1 pipelining),
/// and reads every answer: its status line and body.
async fn pipelined(address: SocketAddr, count: usize) -> std::io::Result<Vec<(String, String)>> {
    let mut stream = TcpStream::connect(address).await?;
    let mut requests = Vec::new();
    for index in 0..count {
        let close = if index + 1 == count {
            "Connection: close\r\n"
        } else {
            ""
        };
        requests.extend_from_slice(
            format!(
                "GET /.well-known/heartbeat/readiness HTTP/1.1\r\nHost: 127.0.0.1\r\n{close}\r\n"
            )
            .as_bytes(),
        );
    }
    stream.write_all(&requests).await?;
    let mut answers = Vec::new();
    stream.read_to_end(&mut answers).await?;
    Ok(split_answers(&String::from_utf8_lossy(&answers)))
}

/// Splits pipelined HTTP/1.1 answers, each sized by its `content-length`.
fn split_answers(mut rest: &str) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    while let Some((head, after)) = rest.split_once("\r\n\r\n") {
        let status = head.lines().next().unwrap_or_default().to_owned();
        let length = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok())
            .unwrap_or(0)
            .min(after.len());
        answers.push((status, after[..length].to_owned()));
        rest = &after[length..];
    }
    answers
}

/// Ten thousand requests outstanding at once: a thousand connections, each
/// sending ten requests before reading any answer. (Ten thousand
/// connections opened at once would test the kernel's accept queue rather
/// than the heartbeat.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_requests_are_all_answered() {
    // In a process of its own, so that this one can hold the connections.
    let server = ChildServer::start(Command::new(env!("CARGO_BIN_EXE_heartbeat-test-server")));

    let connections =
        join_all((0..CONNECTIONS).map(|_| pipelined(server.address(), REQUESTS_PER_CONNECTION)))
            .await;

    let mut answered = 0;
    let mut wrong = Vec::new();
    for connection in connections {
        let answers = match connection {
            Ok(answers) => answers,
            Err(error) => {
                wrong.push(format!("connection failed: {error}"));
                continue;
            }
        };
        if answers.len() != REQUESTS_PER_CONNECTION {
            wrong.push(format!("{} answers on a connection", answers.len()));
        }
        for (status, body) in answers {
            answered += 1;
            let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let checks = body["checks"].as_object().map_or(0, |checks| checks.len());
            if status != "HTTP/1.1 200 OK" || body["status"] != true || checks != 3 {
                wrong.push(format!("{status} {body}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong of {answered} answers, such as {}",
        wrong.len(),
        wrong[0]
    );
    assert_eq!(answered, CONNECTIONS * REQUESTS_PER_CONNECTION);
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
        let (status, body) = client.get_json(address, path).await;
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
        .connect(&redirect(&postgres_url, postgres.address()))
        .await
        .expect("PostgreSQL answers through the proxy");
    let connection = redis::Client::open(redirect(&redis_url, redis.address()))
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
    let client = HttpClient::new();
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

        let (status, _) = client.get_json(address, "liveness").await;
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
