//! heartbeat-warp: work in progress.
