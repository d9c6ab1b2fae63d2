use heartbeat_core::probe;

#[probe(readiness, name = "db", name = "database")]
async fn database() -> bool {
    true
}

fn main() {}
