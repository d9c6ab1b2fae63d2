//! Measures what heartbeat costs and prints a table of figures.
//!
//! ```sh
//! cargo run --release -p heartbeat-bench            # every figure, about 8 minutes with the build
//! cargo run --release -p heartbeat-bench -- --quick # shorter rounds, a smoke test
//! ```
//!
//! The load comes from `wrk` (`apt-get install wrk`), a separate process.
//! Every figure is a ratio against a baseline measured in the same run, the
//! two sides alternating round by round, so that a busy machine slows both
//! alike instead of faking a difference. Each server runs in a child process
//! of this one (`heartbeat-bench serve <framework> <variant>`), with one
//! worker thread, so that it shares nothing with the driver; the memory
//! figures are those of the example services, which the benchmark builds in
//! release mode first.

mod load;
mod server;

use std::{env, process::ExitCode, time::Duration};

use heartbeat_axum::{Heartbeat, Outcome, Probe, check_fn};

use crate::{
    load::{Server, median, wrk},
    server::{Framework, Variant},
};

/// How long each measurement runs.
struct Pace {
    round: Duration,
    rounds: usize,
    storm: Duration,
    requests_for_memory: u64,
}

const FULL: Pace = Pace {
    round: Duration::from_secs(3),
    rounds: 3,
    storm: Duration::from_secs(10),
    requests_for_memory: 1_000_000,
};

const QUICK: Pace = Pace {
    round: Duration::from_secs(1),
    rounds: 1,
    storm: Duration::from_secs(3),
    requests_for_memory: 50_000,
};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.as_slice() {
        [serve, framework, variant] if serve == "serve" => server::serve(framework, variant),
        [] => run(&FULL),
        [quick] if quick == "--quick" => run(&QUICK),
        _ => {
            eprintln!("usage: heartbeat-bench [--quick]");
            ExitCode::FAILURE
        }
    }
}

fn run(pace: &Pace) -> ExitCode {
    if let Err(error) = load::wrk_version().and_then(|()| load::build_examples()) {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    println!("{:<52} {:>24} {:>10}", "figure", "measured", "target");

    let mut rows = Vec::new();
    let result = (|| -> Result<(), String> {
        for framework in Framework::ALL {
            for (heartbeat, bare, label) in [
                (Variant::Empty, Variant::BareEmpty, "no checks"),
                (Variant::Three, Variant::BareThree, "three checks"),
            ] {
                rows.push(overhead(pace, framework, heartbeat, bare, label)?);
                print_row(rows.last().unwrap());
            }
        }
        rows.push(concurrency());
        print_row(rows.last().unwrap());
        rows.push(storm(pace)?);
        print_row(rows.last().unwrap());
        for framework in Framework::ALL {
            rows.push(memory(pace, framework)?);
            print_row(rows.last().unwrap());
        }
        Ok(())
    })();

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("benchmark failed: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Row {
    figure: String,
    measured: String,
    target: &'static str,
}

fn print_row(row: &Row) {
    println!("{:<52} {:>24} {:>10}", row.figure, row.measured, row.target);
}

/// Requests per second of the heartbeat's readiness endpoint against a bare
/// handler on the same framework that answers the same bytes.
fn overhead(
    pace: &Pace,
    framework: Framework,
    heartbeat: Variant,
    bare: Variant,
    label: &str,
) -> Result<Row, String> {
    let served = Server::spawn(framework, heartbeat)?;
    let baseline = Server::spawn(framework, bare)?;
    let path = "/.well-known/heartbeat/readiness";
    load::same_answer(&served, &baseline, path)?;

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..pace.rounds {
        ours.push(wrk(&served.url(path), 32, pace.round)?.per_second);
        theirs.push(wrk(&baseline.url(path), 32, pace.round)?.per_second);
    }
    let (ours, theirs) = (median(&mut ours), median(&mut theirs));
    Ok(Row {
        figure: format!("overhead: {framework}, {label} (req/s vs bare)"),
        measured: format!("{:.3} ({:.0} / {:.0})", ours / theirs, ours, theirs),
        target: ">= 0.95",
    })
}

/// Latency of a probe with fifty 20 ms checks against one with one such
/// check: with checks run concurrently, the ratio stays near one.
fn concurrency() -> Row {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let probe_of = |checks: usize| {
        (0..checks)
            .fold(Heartbeat::builder().without_declared(), |builder, index| {
                builder.readiness(
                    format!("slow-{index:02}"),
                    check_fn(|| async {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Outcome::pass()
                    }),
                )
            })
            .build()
            .expect("a valid heartbeat")
    };
    let (one, fifty) = (probe_of(1), probe_of(50));

    let (mut single, mut many) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        for _ in 0..25 {
            let started = tokio::time::Instant::now();
            one.report(Probe::Readiness).await;
            single.push(started.elapsed().as_secs_f64());

            let started = tokio::time::Instant::now();
            fifty.report(Probe::Readiness).await;
            many.push(started.elapsed().as_secs_f64());
        }
    });
    let (single, many) = (median(&mut single), median(&mut many));
    Row {
        figure: "concurrency: 50 checks of 20 ms vs 1 (latency)".into(),
        measured: format!(
            "{:.3} ({:.1} / {:.1} ms)",
            many / single,
            many * 1e3,
            single * 1e3
        ),
        target: "<= 1.2",
    }
}

/// 64 clients hammering readiness with a one-second time to live: how many
/// times the check ran, against the number of windows the storm spanned.
fn storm(pace: &Pace) -> Result<Row, String> {
    let server = Server::spawn(Framework::Axum, Variant::Storm)?;
    let load = wrk(
        &server.url("/.well-known/heartbeat/readiness"),
        64,
        pace.storm,
    )?;
    let runs: u64 = server
        .get("/runs")?
        .trim()
        .parse()
        .map_err(|_| "the storm server's run count is not a number".to_owned())?;
    // The first request of the storm starts a window, and each expiry
    // starts another: at most one more window than whole seconds.
    let windows = pace.storm.as_secs() + 1;
    Ok(Row {
        figure: format!(
            "probe storm: 64 clients, {}s, ttl 1s (runs per window)",
            pace.storm.as_secs()
        ),
        measured: format!(
            "{:.2} ({runs} runs, {} requests)",
            runs as f64 / windows as f64,
            load.requests
        ),
        target: "<= 1",
    })
}

/// Resident memory of an example service after warm-up, after many
/// requests to its readiness probe (which queries its embedded database),
/// and after as many again.
fn memory(pace: &Pace, framework: Framework) -> Result<Row, String> {
    let server = Server::example(framework)?;
    let url = server.url("/.well-known/heartbeat/readiness");
    wrk(&url, 32, Duration::from_secs(2))?;
    let warm = server.resident_kib()?;

    // Two batches: the first is the figure; the second shows whether the
    // growth goes on.
    let batch = || -> Result<(u64, u64), String> {
        let mut served = 0;
        while served < pace.requests_for_memory {
            served += wrk(&url, 32, Duration::from_secs(5))?.requests;
        }
        Ok((served, server.resident_kib()?))
    };
    let (served, after) = batch()?;
    let (_, then) = batch()?;
    Ok(Row {
        figure: format!("memory: {framework}, growth over {served} requests"),
        measured: format!(
            "{:+} KiB ({warm} -> {after}, then {then} KiB)",
            after as i64 - warm as i64,
        ),
        target: "< 1024 KiB",
    })
}
