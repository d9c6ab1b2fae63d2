//! `SqlCheck` against PostgreSQL.

#![cfg(feature = "postgres")]

use crate::support;

support::sql::sql_server_tests!(
    sqlx::Postgres,
    "postgres",
    support::service(
        "HEARTBEAT_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    )
);
