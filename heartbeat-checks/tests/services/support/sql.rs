//! The tests that every SQL server's check shares, written once over the
//! database type and generated for each server by [`sql_server_tests!`];
//! SQLite's tests call those that fit it.

use std::time::Duration;

use heartbeat_checks::{Named, SqlCheck, SqlDatabase};
use sqlx::{Any, AnyPool, Database, Pool, pool::PoolOptions};

use super::{
    Proxy, assert_fails, assert_no_secret, assert_passes, assert_shows,
    assert_survives_cancellation, host_port, redirect, run, run_until, unreachable_with_password,
};

/// A pool of at most `connections` to the server at `url`.
async fn pool<DB>(url: &str, connections: u32) -> Pool<DB>
where
    DB: Database,
{
    PoolOptions::<DB>::new()
        .max_connections(connections)
        .connect(url)
        .await
        .unwrap()
}

pub(crate) async fn passes_with_the_servers_version_and_the_pools_figures<DB>(url: &str, name: &str)
where
    DB: Database + SqlDatabase,
{
    let pool = pool::<DB>(url, 2).await;
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_shows(
        &outcome,
        &[
            "latency_ms",
            "version",
            "pool_size",
            "pool_idle",
            "pool_max_size",
        ],
    );
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
    let pool = pool::<DB>(url, 1).await;
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
    let pool = pool::<DB>(url, 1).await;
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
        .connect_lazy(&unreachable_with_password(url, "user").await)
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
    assert_shows(&outcome, &["version"]);
    assert_eq!(check.default_name(), name);
}

pub(crate) async fn an_any_pool_never_shows_the_password(url: &str) {
    sqlx::any::install_default_drivers();
    never_shows_the_password::<Any>(url).await;
}

/// The shared tests, for a server's database type, the name its check
/// takes, and an expression giving its URL.
#[allow(unused_macros, reason = "only the SQL servers' test files use it")]
macro_rules! sql_server_tests {
    ($database:ty, $name:literal, $url:expr) => {
        $crate::support::sql::sql_server_tests!(@each
            passes_with_the_servers_version_and_the_pools_figures::<$database>(&$url, $name),
            fails_once_the_connections_are_cut::<$database>(&$url),
            an_exhausted_pool_fails_within_the_acquire_timeout::<$database>(&$url),
            runs_dropped_midway_give_their_connection_back::<$database>(&$url),
            never_shows_the_password::<$database>(&$url),
            passes_through_an_any_pool(&$url, $name),
            an_any_pool_never_shows_the_password(&$url),
        );
    };
    // A test of each name, calling the function of that name in this module.
    (@each $($test:ident $(::<$database:ty>)? ($($argument:expr),*)),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                $crate::support::sql::$test $(::<$database>)? ($($argument),*).await;
            }
        )*
    };
}

#[allow(unused_imports, reason = "only the SQL servers' test files use it")]
pub(crate) use sql_server_tests;
