use heartbeat_core::probe;

#[probe(readiness, timeout = 250)]
async fn database() -> bool {
    true
}

fn main() {}
