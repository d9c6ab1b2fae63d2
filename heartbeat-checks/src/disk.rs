//! Free space on the file system holding a path.

use std::{
    fmt,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use heartbeat_core::{BoxFuture, Check, Outcome};

use crate::{Named, capacity::Floor};

/// Checks that the file system holding a path has space available: at
/// least 5% of it unless told otherwise.
///
/// "Available" is what an unprivileged process may still write, which on
/// most file systems is less than what is free. The data holds
/// `available_bytes`, `total_bytes`, `available` and `total` (as people read
/// them, `12.3 GiB`), `available_percent`, and the floors in force.
///
/// The query (`statvfs`, or `GetDiskFreeSpaceExW` on Windows) is a blocking
/// call, so it runs on Tokio's blocking threads. When it hangs (a network
/// file system that no longer answers) the check's time limit still holds,
/// and later runs fail at once until the stuck query returns, rather than
/// pile up more.
///
/// ```no_run
/// use heartbeat_checks::DiskCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let data = DiskCheck::new("/var/lib/app").min_available(2 << 30).min_available_percent(10.0);
///
/// let heartbeat = Heartbeat::builder().readiness("disk", data).build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct DiskCheck {
    path: PathBuf,
    floor: Floor,
    querying: Arc<AtomicBool>,
}

impl DiskCheck {
    /// A check of the file system holding `path`, which must exist.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            floor: Floor::DEFAULT,
            querying: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Fails when fewer than `bytes` are available.
    #[must_use]
    pub fn min_available(mut self, bytes: u64) -> Self {
        self.floor = self.floor.with_bytes(bytes);
        self
    }

    /// Fails when less than `percent` (0 to 100) of the file system is
    /// available; 5 unless set. Zero turns this floor off.
    #[must_use]
    pub fn min_available_percent(mut self, percent: f64) -> Self {
        self.floor = self.floor.with_percent(percent);
        self
    }

    async fn check(&self) -> Outcome {
        let shown = self.path.display().to_string();
        if self.querying.swap(true, Ordering::AcqRel) {
            return Outcome::fail(format!(
                "the previous free space query on {shown} has not returned yet"
            ))
            .with("path", shown);
        }

        let path = self.path.clone();
        let done = Done(self.querying.clone());
        let stats = tokio::task::spawn_blocking(move || {
            let _done = done;
            fs4::statvfs(&path)
        })
        .await;

        match stats {
            Ok(Ok(stats)) => self
                .floor
                .judge("disk space", stats.available_space(), stats.total_space())
                .with("path", shown),
            Ok(Err(error)) => Outcome::fail(format!("cannot query free space on {shown}: {error}"))
                .with("path", shown),
            Err(error) => Outcome::fail(format!("the free space query on {shown} failed: {error}"))
                .with("path", shown),
        }
    }
}

/// Clears the "querying" flag when the query returns, or when it never
/// runs because the runtime is shutting down.
struct Done(Arc<AtomicBool>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Check for DiskCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for DiskCheck {
    fn default_name(&self) -> String {
        "disk".to_owned()
    }
}

impl fmt::Debug for DiskCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiskCheck")
            .field("path", &self.path)
            .field("floor", &self.floor)
            .finish_non_exhaustive()
    }
}
