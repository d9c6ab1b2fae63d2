use heartbeat_core::probe;

#[probe(readiness, interval = "0s")]
async fn database() -> bool {
    true
}

fn main() {}
