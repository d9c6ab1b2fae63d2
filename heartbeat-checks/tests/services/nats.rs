//! `NatsCheck` against NATS.

#![cfg(feature = "nats")]

use crate::support;

use crate::support::{
    Proxy, assert_fails, assert_no_secret, assert_passes, assert_survives_cancellation, host_port,
    redirect, run, run_until, unreachable_with_password,
};
use heartbeat_checks::{Named, NatsCheck};

fn url() -> String {
    support::service("HEARTBEAT_TEST_NATS_URL", "nats://127.0.0.1:4222")
}

#[tokio::test]
async fn passes_with_a_round_trip() {
    let client = async_nats::connect(url()).await.unwrap();
    let check = NatsCheck::new(client);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["state"], "connected");
    assert!(outcome.data().contains_key("latency_ms"));
    assert!(
        !outcome.data()["server_version"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(check.default_name(), "nats");
}

#[tokio::test]
async fn survives_runs_dropped_midway() {
    let client = async_nats::connect(url()).await.unwrap();
    assert_survives_cancellation(&NatsCheck::new(client)).await;
}

#[tokio::test]
async fn fails_once_the_connection_is_cut() {
    let proxy = Proxy::start(host_port(&url())).await.unwrap();
    let client = async_nats::connect(redirect(&url(), proxy.address()))
        .await
        .unwrap();
    let check = NatsCheck::new(client);
    assert_passes(&run(&check).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);
}

#[tokio::test]
async fn never_shows_the_password() {
    let url = unreachable_with_password(&url(), "user").await;
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(url)
        .await
        .unwrap();
    let check = NatsCheck::new(client);

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}
