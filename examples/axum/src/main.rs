//! The heartbeat example service on axum.

fn main() {}
