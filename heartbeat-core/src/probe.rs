//! The endpoints a heartbeat serves, and the kinds a check can belong to.

use std::fmt;

/// An endpoint of the heartbeat, and so a kind of check.
///
/// A check belongs to one or more probes; each probe runs its own checks and
/// answers on its own path under the heartbeat's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Probe {
    /// May this instance take traffic? Kubernetes' readiness probe, at
    /// `readiness`.
    Readiness,
    /// Is this process still working? Kubernetes' liveness probe, at
    /// `liveliness` and `liveness`.
    Liveness,
    /// Has this instance finished starting? Kubernetes' startup probe, at
    /// `startup`. Once every startup check has passed, the probe passes for
    /// the rest of the process's life without running them again.
    Startup,
    /// What is running here? Not a probe Kubernetes calls, but a page for
    /// people, at `environ`; its contributions are merged into the page.
    Environ,
}

impl Probe {
    /// Every probe, in the order the heartbeat keeps them.
    pub const ALL: [Probe; 4] = [
        Probe::Readiness,
        Probe::Liveness,
        Probe::Startup,
        Probe::Environ,
    ];

    /// The probe's name, as written in `#[probe(...)]` and in logs.
    pub const fn name(self) -> &'static str {
        match self {
            Probe::Readiness => "readiness",
            Probe::Liveness => "liveness",
            Probe::Startup => "startup",
            Probe::Environ => "environ",
        }
    }

    /// The probe answering at `segment`, the path below the prefix.
    ///
    /// `liveliness` (the spelling of the package heartbeat grew from) and
    /// `liveness` both name [`Probe::Liveness`].
    pub fn from_segment(segment: &str) -> Option<Probe> {
        match segment {
            "readiness" => Some(Probe::Readiness),
            "liveliness" | "liveness" => Some(Probe::Liveness),
            "startup" => Some(Probe::Startup),
            "environ" => Some(Probe::Environ),
            _ => None,
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_position_in_all() {
        for (position, probe) in Probe::ALL.iter().enumerate() {
            assert_eq!(probe.index(), position);
        }
    }

    #[test]
    fn both_spellings_of_liveness_are_one_probe() {
        assert_eq!(Probe::from_segment("liveliness"), Some(Probe::Liveness));
        assert_eq!(Probe::from_segment("liveness"), Some(Probe::Liveness));
        assert_eq!(Probe::from_segment("Liveness"), None);
        assert_eq!(Probe::from_segment(""), None);
    }
}
