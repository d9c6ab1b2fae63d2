//! The heartbeat example service on warp.

fn main() {}
