use heartbeat_core::probe;

#[probe(liveliness)]
async fn event_loop() -> bool {
    true
}

fn main() {}
