//! A heartbeat on axum with three trivial readiness checks, in a process of
//! its own, for tests that need more connections than one process may
//! hold. Prints `listening on http://<address>`, then serves until killed.

use std::io::Write;

use heartbeat_axum::{Heartbeat, Outcome, check_fn};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Heartbeat::builder().without_declared();
    for name in ["cache", "database", "queue"] {
        builder = builder.readiness(name, check_fn(|| async { Outcome::pass() }));
    }
    let app = heartbeat_axum::router(builder.build()?);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}
