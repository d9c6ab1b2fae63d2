//! Records what the environ page shows about this build: the libraries
//! linked in, the package, and the source revision.

fn main() {
    heartbeat_build::environ();
}
