//! `SqlCheck` against PostgreSQL.

#![cfg(feature = "postgres")]

mod support;

use std::time::Duration;

use heartbeat_checks::{Named, SqlCheck};
use sqlx::{AnyPool, postgres::PgPoolOptions};
use support::{
    Proxy, assert_fails, assert_no_secret, assert_passes, assert_survives_cancellation, dead_port,
    host_port, redirect, run, run_until, with_password,
};

fn url() -> String {
    support::service(
        "HEARTBEAT_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    )
}

#[tokio::test]
async fn passes_with_the_servers_version_and_the_pools_figures() {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url())
        .await
        .unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    for key in [
        "latency_ms",
        "version",
        "pool_size",
        "pool_idle",
        "pool_max_size",
    ] {
        assert!(
            outcome.data().contains_key(key),
            "{key} in {:?}",
            outcome.data()
        );
    }
    assert_eq!(outcome.data()["pool_max_size"], 2);
    assert_eq!(check.default_name(), "postgres");

    // The version is kept from the first run.
    assert_eq!(
        run(&check).await.data()["version"],
        outcome.data()["version"]
    );
}

#[tokio::test]
async fn fails_once_the_connections_are_cut() {
    let mut proxy = Proxy::start(host_port(&url())).await;
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_millis(200))
        .connect(&redirect(&url(), proxy.address()))
        .await
        .unwrap();
    let check = SqlCheck::new(pool);
    assert_passes(&run(&check).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);
    assert!(outcome.data().contains_key("pool_size"));
}

#[tokio::test]
async fn an_exhausted_pool_fails_within_the_acquire_timeout() {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url())
        .await
        .unwrap();
    let held = pool.acquire().await.unwrap();
    let check = SqlCheck::new(pool.clone()).acquire_timeout(Duration::from_millis(50));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_eq!(
        outcome.message(),
        Some("no connection from the pool within 50 ms")
    );
    drop(held);
    assert_passes(&run(&check).await);
}

#[tokio::test]
async fn runs_dropped_midway_give_their_connection_back() {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url())
        .await
        .unwrap();
    let check = SqlCheck::new(pool.clone());

    assert_survives_cancellation(&check).await;
    assert_eq!(pool.size(), 1);
}

#[tokio::test]
async fn never_shows_the_password() {
    let url = with_password(&url(), "user");
    let url = redirect(
        &url,
        format!("127.0.0.1:{}", dead_port().await).parse().unwrap(),
    );
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(100))
        .connect_lazy(&url)
        .unwrap();
    let check = SqlCheck::new(pool).acquire_timeout(Duration::from_secs(2));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}

#[tokio::test]
async fn passes_through_an_any_pool() {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&url()).await.unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert!(
        outcome.data().contains_key("version"),
        "{:?}",
        outcome.data()
    );
    assert_eq!(check.default_name(), "postgres");
}

#[tokio::test]
async fn an_any_pool_never_shows_the_password() {
    sqlx::any::install_default_drivers();
    let url = with_password(&url(), "user");
    let url = redirect(
        &url,
        format!("127.0.0.1:{}", dead_port().await).parse().unwrap(),
    );
    let pool = sqlx::any::AnyPoolOptions::new()
        .acquire_timeout(Duration::from_millis(100))
        .connect_lazy(&url)
        .unwrap();
    let check = SqlCheck::new(pool).acquire_timeout(Duration::from_secs(2));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}
