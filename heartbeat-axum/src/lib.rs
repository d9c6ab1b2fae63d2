//! heartbeat-axum: work in progress.
