//! The cost of one probe run with 0, 1, 3, 10 and 100 trivial checks.
//!
//! `cargo bench -p heartbeat-core --bench probe` prints, for each size, the
//! time of one run and, as throughput, checks per second: divide to get the
//! cost per check. `report` runs the checks; `handle` adds routing and
//! rendering the JSON body, as a request does.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use heartbeat_core::{Heartbeat, Outcome, Probe, Request, check_fn};

fn heartbeat_with(checks: usize) -> Heartbeat {
    (0..checks)
        .fold(Heartbeat::builder().without_declared(), |builder, index| {
            builder.readiness(
                format!("check-{index:03}"),
                check_fn(|| async { Outcome::pass().with("latency_ms", 0.1) }),
            )
        })
        .build()
        .expect("trivial checks build")
}

fn probe_run(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let mut group = c.benchmark_group("probe");

    for checks in [0, 1, 3, 10, 100] {
        let heartbeat = heartbeat_with(checks);
        group.throughput(Throughput::Elements(checks as u64));

        group.bench_with_input(BenchmarkId::new("report", checks), &heartbeat, |b, hb| {
            b.to_async(&runtime).iter(|| hb.report(Probe::Readiness));
        });
        group.bench_with_input(BenchmarkId::new("handle", checks), &heartbeat, |b, hb| {
            let request = Request::new("GET", "/.well-known/heartbeat/readiness");
            b.to_async(&runtime)
                .iter(|| async { hb.handle(&request).await });
        });
    }
    group.finish();
}

criterion_group!(benches, probe_run);
criterion_main!(benches);
