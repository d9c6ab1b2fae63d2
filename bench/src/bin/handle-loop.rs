//! Answers one readiness request many times in a row, for counting the
//! instructions a request costs: a figure that the machine's load cannot
//! move, unlike a time.
//!
//! ```sh
//! cargo build --release -p heartbeat-bench --bin handle-loop
//! count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/handle-loop "$@" 2>&1 | awk '/Collected/ { print $4 }'; }
//! echo $(( ($(count 3 11000) - $(count 3 1000)) / 10000 ))  # per request, three checks
//! ```
//!
//! The difference of two runs leaves out what starting the process costs.

use std::{env, hint::black_box, process::ExitCode};

use heartbeat_axum::{Heartbeat, Outcome, Request, check_fn};

fn main() -> ExitCode {
    let args: Vec<usize> = env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let [checks, requests] = args[..] else {
        eprintln!("usage: handle-loop <trivial checks> <requests>");
        return ExitCode::FAILURE;
    };

    let heartbeat = (0..checks)
        .fold(Heartbeat::builder().without_declared(), |builder, index| {
            builder.readiness(
                format!("check-{index}"),
                check_fn(|| async { Outcome::pass() }),
            )
        })
        .build()
        .expect("trivial checks build");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let request = Request::new("GET", "/.well-known/heartbeat/readiness");
    runtime.block_on(async {
        for _ in 0..requests {
            black_box(heartbeat.handle(&request).await);
        }
    });
    ExitCode::SUCCESS
}
