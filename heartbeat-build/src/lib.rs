//! heartbeat-build: work in progress.
