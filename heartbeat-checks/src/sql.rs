//! SQL databases through the application's sqlx pool.

use std::{
    fmt,
    sync::OnceLock,
    time::{Duration, Instant},
};

use heartbeat_core::{BoxFuture, Check, Outcome};
use sqlx::{Connection, Database, Executor, Pool, pool::PoolConnection};

use crate::{Named, latency_ms, redact::Redactor};

/// How long [`SqlCheck`] waits for a connection from the pool unless told
/// otherwise: shorter than the heartbeat's default time limit, so that an
/// exhausted pool is reported as such rather than as a timed-out check.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(300);

/// Checks a SQL database through the application's sqlx [`Pool`]: takes a
/// connection (within [`acquire_timeout`](Self::acquire_timeout)) and runs
/// `SELECT 1` on it.
///
/// Works with `PgPool`, `MySqlPool`, `SqlitePool` and `AnyPool`, as the
/// features `postgres`, `mysql` and `sqlite` allow. The application's sqlx
/// must be the same release as this crate's (0.9).
///
/// On success the data holds `latency_ms` (of `SELECT 1`), the server's
/// `version` (asked once, on the first success, then kept), and the pool's
/// `pool_size`, `pool_idle` and `pool_max_size` as they were before the
/// check took its connection. On failure the message says whether no
/// connection could be had or the query failed, without the connection
/// string.
///
/// ```no_run
/// # #[cfg(feature = "postgres")]
/// # mod example {
/// use heartbeat_checks::SqlCheck;
/// use heartbeat_core::Heartbeat;
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
///
/// let heartbeat = Heartbeat::builder()
///     .readiness("postgres", SqlCheck::new(pool.clone()))
///     .build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// # }
/// ```
pub struct SqlCheck<DB: SqlDatabase> {
    pool: Pool<DB>,
    acquire_timeout: Duration,
    version: OnceLock<Option<String>>,
    redactor: Redactor,
}

impl<DB: SqlDatabase> SqlCheck<DB> {
    /// A check of the database behind `pool`, a clone of the application's
    /// pool (clones share the same connections).
    pub fn new(pool: Pool<DB>) -> Self {
        let redactor = DB::secrets(&pool.connect_options())
            .iter()
            .fold(Redactor::new(), |redactor, url| redactor.url(url));
        Self {
            pool,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            version: OnceLock::new(),
            redactor,
        }
    }

    /// Waits at most `timeout` for a connection from the pool
    /// ([`DEFAULT_ACQUIRE_TIMEOUT`] unless set). Keep it below the check's
    /// time limit.
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    async fn check(&self) -> Outcome {
        // The pool as the application sees it, before the check takes a
        // connection of its own.
        let pool = PoolFigures::of(&self.pool);
        if self.pool.is_closed() {
            return pool.add_to(Outcome::fail("the connection pool is closed"));
        }

        let acquired = tokio::time::timeout(self.acquire_timeout, self.pool.acquire()).await;
        let mut connection = match acquired {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => {
                let message = format!(
                    "no connection from the pool: {}",
                    self.redactor.error(&error)
                );
                return pool.add_to(Outcome::fail(message));
            }
            Err(_) => {
                let message = format!(
                    "no connection from the pool within {} ms",
                    self.acquire_timeout.as_millis()
                );
                return pool.add_to(Outcome::fail(message));
            }
        };

        let started = Instant::now();
        if let Err(error) = DB::select_one(&mut connection).await {
            let message = format!("SELECT 1 failed: {}", self.redactor.error(&error));
            return pool.add_to(Outcome::fail(message));
        }
        let mut outcome = Outcome::pass().with("latency_ms", latency_ms(started.elapsed()));

        if let Some(version) = self.version(&mut connection).await {
            outcome = outcome.with("version", version);
        }
        pool.add_to(outcome)
    }

    /// The server's version: asked on the first success, then kept. A server
    /// that will not say is not asked again.
    async fn version(&self, connection: &mut PoolConnection<DB>) -> Option<String> {
        if let Some(version) = self.version.get() {
            return version.clone();
        }
        let asked = DB::version(connection).await;
        self.version.get_or_init(|| asked).clone()
    }
}

/// How many connections a pool holds, how many of them are idle, and how
/// many it may hold.
struct PoolFigures {
    size: u32,
    idle: usize,
    max_size: u32,
}

impl PoolFigures {
    fn of<DB: Database>(pool: &Pool<DB>) -> Self {
        Self {
            size: pool.size(),
            idle: pool.num_idle(),
            max_size: pool.options().get_max_connections(),
        }
    }

    fn add_to(&self, outcome: Outcome) -> Outcome {
        outcome
            .with("pool_size", self.size)
            .with("pool_idle", self.idle)
            .with("pool_max_size", self.max_size)
    }
}

impl<DB: SqlDatabase> Check for SqlCheck<DB> {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl<DB: SqlDatabase> Named for SqlCheck<DB> {
    fn default_name(&self) -> String {
        DB::kind(&self.pool.connect_options()).to_owned()
    }
}

impl<DB: SqlDatabase> fmt::Debug for SqlCheck<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlCheck")
            .field("database", &DB::NAME)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish_non_exhaustive()
    }
}

/// A database whose pools [`SqlCheck`] can check: those of the enabled
/// features among `postgres`, `mysql` and `sqlite`, and `Any`. Sealed.
pub trait SqlDatabase: Database + sealed::Sealed {}

impl<DB: Database + sealed::Sealed> SqlDatabase for DB {}

type Options<DB> = <<DB as Database>::Connection as Connection>::Options;

mod sealed {
    use heartbeat_core::BoxFuture;

    use super::Options;

    /// What [`SqlCheck`](super::SqlCheck) needs of a database.
    pub trait Sealed: sqlx::Database {
        /// The name a check of this database is registered under.
        fn kind(options: &Options<Self>) -> &'static str;

        /// URLs among the options, to keep out of messages.
        fn secrets(options: &Options<Self>) -> Vec<String>;

        /// Runs `SELECT 1`.
        fn select_one(connection: &mut Self::Connection) -> BoxFuture<'_, Result<(), sqlx::Error>>;

        /// Asks the server's version.
        fn version(connection: &mut Self::Connection) -> BoxFuture<'_, Option<String>>;
    }
}

/// Implements [`sealed::Sealed`] for a database of one kind, whose version
/// query is always the same.
macro_rules! sql_database {
    ($feature:literal, $database:ty, $kind:literal, $version:expr) => {
        #[cfg(feature = $feature)]
        impl sealed::Sealed for $database {
            fn kind(_: &Options<Self>) -> &'static str {
                $kind
            }

            fn secrets(_: &Options<Self>) -> Vec<String> {
                Vec::new()
            }

            fn select_one(
                connection: &mut Self::Connection,
            ) -> BoxFuture<'_, Result<(), sqlx::Error>> {
                Box::pin(select_one::<Self>(connection))
            }

            fn version(connection: &mut Self::Connection) -> BoxFuture<'_, Option<String>> {
                Box::pin(version::<Self>(connection, $version))
            }
        }
    };
}

sql_database!("postgres", sqlx::Postgres, "postgres", POSTGRES_VERSION);
sql_database!("mysql", sqlx::MySql, "mysql", MYSQL_VERSION);
sql_database!("sqlite", sqlx::Sqlite, "sqlite", SQLITE_VERSION);

impl sealed::Sealed for sqlx::Any {
    fn kind(options: &Options<Self>) -> &'static str {
        match options.database_url.scheme() {
            "postgres" | "postgresql" => "postgres",
            "mysql" | "mariadb" => "mysql",
            "sqlite" => "sqlite",
            _ => "database",
        }
    }

    fn secrets(options: &Options<Self>) -> Vec<String> {
        vec![options.database_url.to_string()]
    }

    fn select_one(connection: &mut Self::Connection) -> BoxFuture<'_, Result<(), sqlx::Error>> {
        Box::pin(select_one::<Self>(connection))
    }

    fn version(connection: &mut Self::Connection) -> BoxFuture<'_, Option<String>> {
        let backend = connection.backend_name().to_ascii_lowercase();
        let query = if backend.contains("postgres") {
            POSTGRES_VERSION
        } else if backend.contains("mysql") || backend.contains("maria") {
            MYSQL_VERSION
        } else if backend.contains("sqlite") {
            SQLITE_VERSION
        } else {
            return Box::pin(async { None });
        };
        Box::pin(version::<Self>(connection, query))
    }
}

const POSTGRES_VERSION: &str = "SHOW server_version";
const MYSQL_VERSION: &str = "SELECT VERSION()";
const SQLITE_VERSION: &str = "SELECT sqlite_version()";

async fn select_one<DB>(connection: &mut DB::Connection) -> Result<(), sqlx::Error>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    sqlx::raw_sql("SELECT 1").execute(connection).await?;
    Ok(())
}

async fn version<DB>(connection: &mut DB::Connection, query: &'static str) -> Option<String>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    sqlx::query_scalar::<DB, String>(query)
        .fetch_one(connection)
        .await
        .ok()
}
