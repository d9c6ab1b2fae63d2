use heartbeat_core::probe;

#[probe(readiness)]
async fn database() {}

fn main() {}
