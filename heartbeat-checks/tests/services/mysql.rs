//! `SqlCheck` against MySQL (MariaDB).

#![cfg(feature = "mysql")]

use crate::support;

support::sql::sql_server_tests!(
    sqlx::MySql,
    "mysql",
    support::service(
        "HEARTBEAT_TEST_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test"
    )
);
