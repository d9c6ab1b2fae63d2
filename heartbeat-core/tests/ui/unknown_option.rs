use heartbeat_core::probe;

#[probe(readiness, retries = "3")]
async fn database() -> bool {
    true
}

fn main() {}
