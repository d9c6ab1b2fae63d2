use heartbeat_core::probe;

#[probe(readiness)]
async fn database() -> u32 {
    7
}

fn main() {}
