use heartbeat_core::probe;

#[probe(name = "database")]
async fn database() -> bool {
    true
}

fn main() {}
