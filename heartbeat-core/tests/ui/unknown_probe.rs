use heartbeat_core::probe;

#[probe(readyness)]
async fn database() -> bool {
    true
}

fn main() {}
