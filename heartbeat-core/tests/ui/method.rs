use heartbeat_core::probe;

struct Service;

impl Service {
    #[probe(readiness)]
    async fn database(&self) -> bool {
        true
    }
}

fn main() {}
