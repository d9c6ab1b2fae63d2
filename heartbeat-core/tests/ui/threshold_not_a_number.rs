use heartbeat_core::probe;

#[probe(readiness, success_threshold = "2")]
async fn database() -> bool {
    true
}

fn main() {}
