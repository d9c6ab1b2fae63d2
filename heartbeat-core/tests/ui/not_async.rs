use heartbeat_core::probe;

#[probe(readiness)]
fn database() -> bool {
    true
}

fn main() {}
