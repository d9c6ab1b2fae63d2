//! The heartbeat example service on actix.

fn main() {}
