//! `RedisCheck` against Redis.

#![cfg(feature = "redis")]

use crate::support;

use crate::support::{
    Proxy, assert_fails, assert_no_secret, assert_passes, assert_survives_cancellation, host_port,
    redirect, run, run_until, with_password,
};
use heartbeat_checks::{Named, RedisCheck};

fn url() -> String {
    support::service("HEARTBEAT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
}

async fn connection(url: &str) -> redis::aio::ConnectionManager {
    let client = redis::Client::open(url).unwrap();
    client.get_connection_manager().await.unwrap()
}

#[tokio::test]
async fn passes_with_the_servers_version() {
    let check = RedisCheck::new(connection(&url()).await);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert!(outcome.data().contains_key("latency_ms"));
    assert!(
        outcome.data().contains_key("redis_version"),
        "{:?}",
        outcome.data()
    );
    assert_eq!(check.default_name(), "redis");
}

#[tokio::test]
async fn survives_runs_dropped_midway() {
    assert_survives_cancellation(&RedisCheck::new(connection(&url()).await)).await;
}

#[tokio::test]
async fn passes_on_a_multiplexed_connection() {
    let client = redis::Client::open(url()).unwrap();
    let connection = client.get_multiplexed_async_connection().await.unwrap();

    assert_passes(&run(&RedisCheck::new(connection)).await);
}

/// The default user of a Redis without passwords accepts any password, so
/// the client really sends this one; it must still not show.
#[tokio::test]
async fn fails_once_the_connection_is_cut_without_showing_the_password() {
    let proxy = Proxy::start(host_port(&url())).await.unwrap();
    let url = redirect(&with_password(&url(), "default"), proxy.address());
    let check = RedisCheck::new(connection(&url).await);
    assert_passes(&run(&check).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}
