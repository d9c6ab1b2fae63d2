use heartbeat_core::probe;

#[probe(readiness, max_age = "30s")]
async fn database() -> bool {
    true
}

fn main() {}
