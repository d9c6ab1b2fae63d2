//! What the tests of every check share: where the services are, a TCP proxy
//! that the test can cut, a port nothing listens on, a tiny HTTP server,
//! and assertions on outcomes.

#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses part of this module"
)]

#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlite"))]
pub(crate) mod sql;

/// A TCP proxy the test owns between a check and its service; where the
/// services are, and their URLs pointed elsewhere.
pub(crate) use heartbeat_tests::{Proxy, host_port, redirect, service};

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use heartbeat_core::{Check, Outcome};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// The password every test that checks redaction puts in its URL.
pub(crate) const PASSWORD: &str = "s3cr3t-password";

/// The part of [`PASSWORD`] that must appear nowhere in an outcome.
const SECRET: &str = "s3cr3t";

/// `url` with `user:PASSWORD@` as its user information.
pub(crate) fn with_password(url: &str, user: &str) -> String {
    let (scheme, body) = url.split_once("://").expect("a URL with a scheme");
    let body = body.split_once('@').map_or(body, |(_, host)| host);
    format!("{scheme}://{user}:{PASSWORD}@{body}")
}

/// A loopback port that nothing listens on: bound, then released.
pub(crate) async fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// `url` with `user:PASSWORD@`, pointed at a port nothing listens on.
pub(crate) async fn unreachable_with_password(url: &str, user: &str) -> String {
    let address = SocketAddr::from(([127, 0, 0, 1], dead_port().await));
    redirect(&with_password(url, user), address)
}

/// Runs a check once. Every check must answer by itself, failing or not,
/// well within this limit: past it the test fails.
pub(crate) async fn run(check: &impl Check) -> Outcome {
    tokio::time::timeout(Duration::from_secs(5), check.run())
        .await
        .expect("the check answers by itself within 5 s")
}

/// Starts runs of a check and drops each at a different point, as the
/// heartbeat drops a check past its time limit; then the check must still
/// pass. Where each run stops does not matter: every point must be safe.
pub(crate) async fn assert_survives_cancellation(check: &impl Check) {
    for micros in [0, 50, 200, 1_000, 5_000] {
        let _ = tokio::time::timeout(Duration::from_micros(micros), check.run()).await;
    }
    assert_passes(&run(check).await);
}

/// Runs a check until its outcome satisfies `wanted`, for at most ten
/// seconds, and returns the last outcome.
pub(crate) async fn run_until(check: &impl Check, wanted: impl Fn(&Outcome) -> bool) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let outcome = run(check).await;
        if wanted(&outcome) || Instant::now() >= deadline {
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Asserts that the outcome passed, showing it otherwise.
pub(crate) fn assert_passes(outcome: &Outcome) {
    eprintln!("passes: {}", shown(outcome));
    assert!(outcome.status(), "expected a pass: {}", shown(outcome));
}

/// Asserts that the outcome failed with a message, showing it otherwise.
pub(crate) fn assert_fails(outcome: &Outcome) {
    eprintln!("fails: {}", shown(outcome));
    assert!(!outcome.status(), "expected a failure: {}", shown(outcome));
    assert!(
        outcome.message().is_some_and(|message| !message.is_empty()),
        "a failure says why: {}",
        shown(outcome)
    );
}

/// What the disk and memory checks show of the capacity they judge.
pub(crate) const CAPACITY_FIGURES: [&str; 5] = [
    "available_bytes",
    "total_bytes",
    "available",
    "total",
    "available_percent",
];

/// Asserts that the outcome's data holds each of `keys`, showing it
/// otherwise.
pub(crate) fn assert_shows(outcome: &Outcome, keys: &[&str]) {
    for key in keys {
        assert!(
            outcome.data().contains_key(*key),
            "{key} in {:?}",
            outcome.data()
        );
    }
}

/// Asserts that the test's password appears nowhere in the outcome.
pub(crate) fn assert_no_secret(outcome: &Outcome) {
    let shown = shown(outcome);
    assert!(
        !shown.contains(SECRET),
        "the outcome shows the password: {shown}"
    );
}

/// The outcome as the heartbeat would serialize it.
pub(crate) fn shown(outcome: &Outcome) -> String {
    let mut entry = outcome.data().clone();
    entry.insert("status".into(), outcome.status().into());
    serde_json::to_string(&entry).unwrap()
}

/// A one-route HTTP server owned by a test: answers `GET path` with
/// `status` and `body`, anything else with 404, one request per
/// connection. It stops with the test's runtime.
pub(crate) async fn serve(
    path: &'static str,
    status: &'static str,
    body: &'static str,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let wanted = request.starts_with(&format!("GET {path} "));
                let (status, body) = if wanted {
                    (status, body)
                } else {
                    ("404 Not Found", "")
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    address
}
