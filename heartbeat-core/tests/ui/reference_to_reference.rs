struct Pool;

use heartbeat_core::probe;

#[probe(readiness)]
async fn database(_pool: &&Pool) -> bool {
    true
}

fn main() {}
