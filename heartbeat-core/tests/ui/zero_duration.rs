use heartbeat_core::probe;

#[probe(readiness, timeout = "0s")]
async fn database() -> bool {
    true
}

fn main() {}
