use heartbeat_core::probe;

#[probe(readiness)]
async fn database<P: Send + Sync + 'static>(_pool: &P) -> bool {
    true
}

fn main() {}
