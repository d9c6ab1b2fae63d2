use heartbeat_core::probe;

#[probe(readiness, failure_threshold = 0)]
async fn database() -> bool {
    true
}

fn main() {}
