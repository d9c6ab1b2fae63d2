use heartbeat_core::probe;

#[probe(readiness)]
async fn database(_pool: impl Send) -> bool {
    true
}

fn main() {}
