use heartbeat_core::probe;

#[probe(readiness, critical = "no")]
async fn database() -> bool {
    true
}

fn main() {}
