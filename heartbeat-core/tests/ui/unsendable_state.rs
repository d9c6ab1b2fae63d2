use std::rc::Rc;

use heartbeat_core::probe;

#[probe(readiness)]
async fn database(_pool: &Rc<u32>) -> bool {
    true
}

fn main() {}
