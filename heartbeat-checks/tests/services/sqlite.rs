//! `SqlCheck` against SQLite.

#![cfg(feature = "sqlite")]

use crate::support::{assert_fails, assert_passes, run, sql};
use heartbeat_checks::{Named, SqlCheck};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};

const IN_MEMORY: &str = "sqlite::memory:";

/// A pool of connections to SQLite in memory.
async fn in_memory() -> SqlitePool {
    SqlitePoolOptions::new().connect(IN_MEMORY).await.unwrap()
}

#[tokio::test]
async fn passes_with_the_librarys_version() {
    let pool = in_memory().await;
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
    let pool = in_memory().await;
    let check = SqlCheck::new(pool.clone());
    assert_passes(&run(&check).await);

    pool.close().await;
    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_eq!(outcome.message(), Some("the connection pool is closed"));
}

#[tokio::test]
async fn passes_through_an_any_pool() {
    sql::passes_through_an_any_pool(IN_MEMORY, "sqlite").await;
}
