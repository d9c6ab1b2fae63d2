use heartbeat_core::probe;

#[probe(environ, readiness)]
async fn build_info() -> bool {
    true
}

fn main() {}
