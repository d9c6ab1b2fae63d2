use heartbeat_core::probe;

#[probe(readiness, name = "")]
async fn database() -> bool {
    true
}

fn main() {}
