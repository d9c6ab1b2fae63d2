//! Memory available to the process: the host's, or its control group's
//! when that is tighter.

use std::{fmt, fs, path::PathBuf};

use heartbeat_core::{BoxFuture, Check, Outcome};

use crate::{Named, capacity::Floor};

/// Checks that memory is available: at least 5% of it unless told
/// otherwise.
///
/// Reads the kernel's own estimate, `MemAvailable` in `/proc/meminfo`
/// (memory that can be had without swapping, counting reclaimable caches).
/// In a container with a memory limit (cgroup v2, as Kubernetes sets), the
/// limit is what gets the process killed, so the check also reads the
/// control group's `memory.max` and its working set (`memory.current` less
/// inactive file cache, as the kubelet counts it), and judges whichever
/// leaves less.
///
/// The data holds `available_bytes`, `total_bytes`, `available`, `total`
/// (as people read them), `available_percent`, the floors in force, and
/// `limited_by`: `host` or `cgroup`.
///
/// Linux only: elsewhere the check fails, saying so. The files it reads are
/// made by the kernel on demand, so reading them does not block.
///
/// ```no_run
/// use heartbeat_checks::MemoryCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let memory = MemoryCheck::new().min_available(256 << 20);
///
/// let heartbeat = Heartbeat::builder().liveness("memory", memory).build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct MemoryCheck {
    floor: Floor,
}

impl MemoryCheck {
    /// A check that at least 5% of memory is available.
    pub fn new() -> Self {
        Self {
            floor: Floor::DEFAULT,
        }
    }

    /// Fails when fewer than `bytes` are available.
    #[must_use]
    pub fn min_available(mut self, bytes: u64) -> Self {
        self.floor = self.floor.with_bytes(bytes);
        self
    }

    /// Fails when less than `percent` (0 to 100) of memory is available; 5
    /// unless set. Zero turns this floor off.
    #[must_use]
    pub fn min_available_percent(mut self, percent: f64) -> Self {
        self.floor = self.floor.with_percent(percent);
        self
    }

    fn check(&self) -> Outcome {
        let host = match fs::read_to_string("/proc/meminfo") {
            Ok(meminfo) => match parse_meminfo(&meminfo) {
                Some(host) => host,
                None => return Outcome::fail("/proc/meminfo holds no MemTotal or MemAvailable"),
            },
            Err(error) => {
                return Outcome::fail(format!(
                    "cannot read /proc/meminfo ({error}): the memory check works on Linux only"
                ));
            }
        };

        let (memory, limited_by) = match cgroup_memory() {
            Some(cgroup) if cgroup.available < host.available => (cgroup, "cgroup"),
            _ => (host, "host"),
        };
        self.floor
            .judge("memory", memory.available, memory.total)
            .with("limited_by", limited_by)
    }
}

impl Default for MemoryCheck {
    fn default() -> Self {
        Self::new()
    }
}

/// Memory available, out of a total, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Memory {
    available: u64,
    total: u64,
}

/// `MemAvailable` and `MemTotal` of `/proc/meminfo`, which gives kB.
fn parse_meminfo(meminfo: &str) -> Option<Memory> {
    let field = |name: &str| {
        meminfo.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            let kib: u64 = value.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kib * 1024)
        })
    };
    Some(Memory {
        available: field("MemAvailable")?,
        total: field("MemTotal")?,
    })
}

/// The process's cgroup v2 limit and what is left under it; `None` without
/// a limit, or without cgroup v2.
fn cgroup_memory() -> Option<Memory> {
    let directory = cgroup_directory()?;
    let read = |file: &str| fs::read_to_string(directory.join(file)).ok();

    let limit: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current")?.trim().parse().ok()?;
    let inactive_file = read("memory.stat")
        .and_then(|stat| {
            stat.lines()
                .find_map(|line| line.strip_prefix("inactive_file ")?.trim().parse().ok())
        })
        .unwrap_or(0);

    let working_set = current.saturating_sub(inactive_file);
    Some(Memory {
        available: limit.saturating_sub(working_set),
        total: limit,
    })
}

/// The process's cgroup v2 directory, from `/proc/self/cgroup`.
fn cgroup_directory() -> Option<PathBuf> {
    let membership = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = membership
        .lines()
        .find_map(|line| line.strip_prefix("0::"))?;
    let directory = PathBuf::from("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    if directory.join("memory.max").exists() {
        Some(directory)
    } else {
        // Inside a container's cgroup namespace the path may not be mounted
        // as named; the container's own cgroup is then the mount's root.
        let root = PathBuf::from("/sys/fs/cgroup");
        root.join("memory.max").exists().then_some(root)
    }
}

impl Check for MemoryCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(async move { self.check() })
    }
}

impl Named for MemoryCheck {
    fn default_name(&self) -> String {
        "memory".to_owned()
    }
}

impl fmt::Debug for MemoryCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryCheck")
            .field("floor", &self.floor)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_gives_bytes() {
        let meminfo = "MemTotal:       16318480 kB\nMemFree:  1 kB\nMemAvailable:    8159240 kB\n";
        assert_eq!(
            parse_meminfo(meminfo),
            Some(Memory {
                available: 8_159_240 * 1024,
                total: 16_318_480 * 1024,
            })
        );
        assert_eq!(parse_meminfo("MemTotal: 1 kB\n"), None);
    }
}
