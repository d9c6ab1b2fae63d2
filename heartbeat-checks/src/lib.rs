//! heartbeat-checks: work in progress.
