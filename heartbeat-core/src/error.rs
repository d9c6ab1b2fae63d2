//! What can be wrong with a heartbeat's configuration.

use std::{fmt, time::Duration};

use crate::{probe::Probe, registry::Origin, run::DisplayDuration, state::MissingState};

/// Building a heartbeat failed; every problem found is listed.
///
/// The heartbeat refuses to start half-configured: a service that would serve
/// a probe missing a check is worse than one that fails at startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    problems: Vec<Problem>,
}

impl BuildError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        Self { problems }
    }

    /// Each problem found, in the order they were found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [only] => write!(f, "cannot build the heartbeat: {only}"),
            problems => {
                write!(
                    f,
                    "cannot build the heartbeat, {} problems:",
                    problems.len()
                )?;
                for problem in problems {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// One thing wrong with a heartbeat's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Two checks of one probe share a name, so their entries would collide.
    DuplicateName {
        /// The probe both checks belong to.
        probe: Probe,
        /// The name they share.
        name: String,
        /// Where the first came from.
        first: Origin,
        /// Where the second came from.
        second: Origin,
    },
    /// A declared check needs a value that was not given to the builder.
    MissingState {
        /// The check's name.
        check: String,
        /// Where the check was declared.
        origin: Origin,
        /// What is missing.
        missing: MissingState,
    },
    /// A check's name is empty, or holds a character that cannot stand in a
    /// path segment.
    InvalidName {
        /// The name as given.
        name: String,
        /// Where the check came from.
        origin: Origin,
    },
    /// A check registered with the builder belongs to no probe, so it would
    /// never run.
    NoProbe {
        /// The check's name.
        check: String,
        /// Where the check came from.
        origin: Origin,
    },
    /// A time limit of zero would fail the check before it starts.
    ZeroTimeout {
        /// The check's name, or `None` for the builder's default.
        check: Option<String>,
    },
    /// The prefix under which the endpoints are served is not a path.
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
    },
    /// A check takes the name of the readiness entry that shows the
    /// instance's service state ([`SERVICE_CHECK`](crate::SERVICE_CHECK)).
    ReservedName {
        /// The name as given.
        name: String,
        /// Where the check came from.
        origin: Origin,
    },
    /// A background check's interval is zero: it would run without pause.
    ZeroInterval {
        /// The check's name.
        check: String,
    },
    /// A threshold of runs in a row is zero; the least is 1.
    ZeroThreshold {
        /// The check's name.
        check: String,
        /// `failure_threshold` or `success_threshold`.
        threshold: &'static str,
    },
    /// A check that does not run in the background was given a maximum age
    /// for its results, which only background results have.
    MaxAgeWithoutInterval {
        /// The check's name.
        check: String,
    },
    /// A background check's results would go stale before the next run
    /// could replace them.
    MaxAgeTooShort {
        /// The check's name.
        check: String,
        /// The maximum age as given.
        max_age: Duration,
        /// The least it must be: the interval and the time limit.
        least: Duration,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::DuplicateName {
                probe,
                name,
                first,
                second,
            } => write!(
                f,
                "two {probe} checks are named `{name}`: {first}, and {second}; \
                 give one of them another name"
            ),
            Problem::MissingState {
                check,
                origin,
                missing,
            } => write!(f, "check `{check}` ({origin}) cannot run: {missing}"),
            Problem::InvalidName { name, origin } => write!(
                f,
                "check name {name:?} ({origin}) is not allowed; use a non-empty name \
                 without `/`, `?`, `#`, whitespace or control characters"
            ),
            Problem::NoProbe { check, origin } => write!(
                f,
                "check `{check}` ({origin}) belongs to no probe; add one with \
                 `Registration::probes([Probe::Readiness])` or register it with \
                 `HeartbeatBuilder::readiness`"
            ),
            Problem::ZeroTimeout { check: Some(check) } => write!(
                f,
                "check `{check}` has a time limit of zero; give it a positive one"
            ),
            Problem::ZeroTimeout { check: None } => {
                write!(f, "the default time limit is zero; give a positive one")
            }
            Problem::InvalidPrefix { prefix } => write!(
                f,
                "prefix {prefix:?} is not a path; use one that starts with `/`, \
                 such as \"/.well-known/heartbeat\", without `?`, `#` or whitespace"
            ),
            Problem::ReservedName { name, origin } => write!(
                f,
                "check name `{name}` ({origin}) is reserved: readiness shows under it why \
                 the instance is out of service or shutting down; give the check another name"
            ),
            Problem::ZeroInterval { check } => write!(
                f,
                "background check `{check}` has an interval of zero; give it a positive one, \
                 such as `Registration::background(Duration::from_secs(10))`"
            ),
            Problem::ZeroThreshold { check, threshold } => write!(
                f,
                "check `{check}` has a {threshold} of zero; it counts runs in a row, so give \
                 it 1 (the state follows every run) or more"
            ),
            Problem::MaxAgeWithoutInterval { check } => write!(
                f,
                "check `{check}` has a max_age but does not run in the background; give it \
                 an interval with `Registration::background`, or remove the max_age"
            ),
            Problem::MaxAgeTooShort {
                check,
                max_age,
                least,
            } => write!(
                f,
                "background check `{check}` has a max_age of {}, but a run can end up to {} \
                 (its interval and time limit) after the one before, so its results would go \
                 stale between runs; give a max_age of at least {}",
                DisplayDuration(*max_age),
                DisplayDuration(*least),
                DisplayDuration(*least)
            ),
        }
    }
}
