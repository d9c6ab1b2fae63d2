//! `SqlCheck` against SQLite.

#![cfg(feature = "sqlite")]

mod support;

use heartbeat_checks::{Named, SqlCheck};
use sqlx::{AnyPool, sqlite::SqlitePoolOptions};
use support::{assert_fails, assert_passes, run};

#[tokio::test]
async fn passes_with_the_librarys_version() {
    let pool = SqlitePoolOptions::new()
        .connect("sqlite::memory:")
        .await
        .unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert!(outcome.data()["version"].as_str().unwrap().starts_with('3'));
    assert_eq!(check.default_name(), "sqlite");
}

#[tokio::test]
async fn fails_when_the_database_cannot_be_opened() {
    let pool = SqlitePoolOptions::new()
        .connect_lazy("sqlite:///nonexistent-heartbeat-directory/app.db")
        .unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_fails(&outcome);
}

#[tokio::test]
async fn fails_once_the_pool_is_closed() {
    let pool = SqlitePoolOptions::new()
        .connect("sqlite::memory:")
        .await
        .unwrap();
    let check = SqlCheck::new(pool.clone());
    assert_passes(&run(&check).await);

    pool.close().await;
    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_eq!(outcome.message(), Some("the connection pool is closed"));
}

#[tokio::test]
async fn passes_through_an_any_pool() {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect("sqlite::memory:").await.unwrap();
    let check = SqlCheck::new(pool);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert!(
        outcome.data().contains_key("version"),
        "{:?}",
        outcome.data()
    );
    assert_eq!(check.default_name(), "sqlite");
}
