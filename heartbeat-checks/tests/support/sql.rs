//! The tests that every SQL server's check shares, written once over the
//! database type and generated for each server by [`sql_server_tests!`].

use std::time::Duration;

use heartbeat_checks::{Named, SqlCheck, SqlDatabase};
use sqlx::{AnyPool, Database, any::AnyPoolOptions, pool::PoolOptions};

use super::{
    Proxy, assert_fails, assert_no_secret, assert_passes, assert_survives_cancellation, dead_port,
    host_port, redirect, run, run_until, with_password,
};

/// `url` with a password, pointing at a port nothing listens on.
async fn unreachable_with_password(url: &str) -> String {
    let url = with_password(url, "user");
    redirect(
        &url,
        format!("127.0.0.1:{}", dead_port().await).parse().unwrap(),
    )
}

pub(crate) async fn passes_with_the_servers_version_and_the_pools_figures<DB>(url: &str, name: &str)
where
    DB: Database + SqlDatabase,
{
    let pool = PoolOptions::<DB>::new()
        .max_connections(2)
        .connect(url)
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
    assert_eq!(check.default_name(), name);

    // The version is kept from the first run.
    assert_eq!(
        run(&check).await.data()["version"],
        outcome.data()["version"]
    );
}

pub(crate) async fn fails_once_the_connections_are_cut<DB>(url: &str)
where
    DB: Database + SqlDatabase,
{
    let proxy = Proxy::start(host_port(url)).await.unwrap();
    let pool = PoolOptions::<DB>::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_millis(200))
        .connect(&redirect(url, proxy.address()))
        .await
        .unwrap();
    let check = SqlCheck::new(pool);
    assert_passes(&run(&check).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);
    assert!(outcome.data().contains_key("pool_size"));
}

pub(crate) async fn an_exhausted_pool_fails_within_the_acquire_timeout<DB>(url: &str)
where
    DB: Database + SqlDatabase,
{
    let pool = PoolOptions::<DB>::new()
        .max_connections(1)
        .connect(url)
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

pub(crate) async fn runs_dropped_midway_give_their_connection_back<DB>(url: &str)
where
    DB: Database + SqlDatabase,
{
    let pool = PoolOptions::<DB>::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let check = SqlCheck::new(pool.clone());

    assert_survives_cancellation(&check).await;
    assert_eq!(pool.size(), 1);
}

pub(crate) async fn never_shows_the_password<DB>(url: &str)
where
    DB: Database + SqlDatabase,
{
    let pool = PoolOptions::<DB>::new()
        .acquire_timeout(Duration::from_millis(100))
        .connect_lazy(&unreachable_with_password(url).await)
        .unwrap();
    let check = SqlCheck::new(pool).acquire_timeout(Duration::from_secs(2));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}

pub(crate) async fn passes_through_an_any_pool(url: &str, name: &str) {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert!(
        outcome.data().contains_key("version"),
        "{:?}",
        outcome.data()
    );
    assert_eq!(check.default_name(), name);
}

pub(crate) async fn an_any_pool_never_shows_the_password(url: &str) {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .acquire_timeout(Duration::from_millis(100))
        .connect_lazy(&unreachable_with_password(url).await)
        .unwrap();
    let check = SqlCheck::new(pool).acquire_timeout(Duration::from_secs(2));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}

/// The shared tests, for a server's database type, the name its check
/// takes, and an expression giving its URL.
#[allow(unused_macros, reason = "only the SQL servers' test files use it")]
macro_rules! sql_server_tests {
    ($database:ty, $name:literal, $url:expr) => {
        use support::sql;

        #[tokio::test]
        async fn passes_with_the_servers_version_and_the_pools_figures() {
            sql::passes_with_the_servers_version_and_the_pools_figures::<$database>(&$url, $name)
                .await;
        }

        #[tokio::test]
        async fn fails_once_the_connections_are_cut() {
            sql::fails_once_the_connections_are_cut::<$database>(&$url).await;
        }

        #[tokio::test]
        async fn an_exhausted_pool_fails_within_the_acquire_timeout() {
            sql::an_exhausted_pool_fails_within_the_acquire_timeout::<$database>(&$url).await;
        }

        #[tokio::test]
        async fn runs_dropped_midway_give_their_connection_back() {
            sql::runs_dropped_midway_give_their_connection_back::<$database>(&$url).await;
        }

        #[tokio::test]
        async fn never_shows_the_password() {
            sql::never_shows_the_password::<$database>(&$url).await;
        }

        #[tokio::test]
        async fn passes_through_an_any_pool() {
            sql::passes_through_an_any_pool(&$url, $name).await;
        }

        #[tokio::test]
        async fn an_any_pool_never_shows_the_password() {
            sql::an_any_pool_never_shows_the_password(&$url).await;
        }
    };
}

#[allow(unused_imports, reason = "only the SQL servers' test files use it")]
pub(crate) use sql_server_tests;
