use heartbeat_core::probe;

#[probe(readiness, timeout = "fast")]
async fn database() -> bool {
    true
}

fn main() {}
