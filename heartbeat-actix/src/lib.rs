//! heartbeat-actix: work in progress.
