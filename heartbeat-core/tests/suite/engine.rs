//! The engine: aggregation, time limits, panics, configuration errors,
//! caching and shared runs.
//!
//! Time-dependent tests run on tokio's paused clock, which advances only when
//! every task is idle: a check that sleeps or never completes costs no real
//! time, and the outcome does not depend on how busy the machine is.

use std::{
    future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use crate::support::{builder, counted, failing, message, passing};
use futures_util::future::join_all;
use heartbeat_core::{Check, Heartbeat, Origin, Outcome, Probe, Problem, Registration, check_fn};
use tokio::{sync::Semaphore, time::Instant};

#[tokio::test]
async fn a_probe_passes_only_when_every_check_passes() {
    let heartbeat = builder()
        .readiness("cache", passing())
        .readiness("database", failing("refused"))
        .liveness("loop", passing())
        .build()
        .unwrap();

    let readiness = heartbeat.report(Probe::Readiness).await;
    assert!(!readiness.status());
    assert_eq!(readiness.failing().collect::<Vec<_>>(), ["database"]);
    assert_eq!(message(&readiness, "database").as_deref(), Some("refused"));
    assert!(readiness.check("cache").unwrap().status());

    assert!(heartbeat.report(Probe::Liveness).await.status());
}

#[tokio::test]
async fn a_probe_without_checks_passes() {
    let heartbeat = builder().build().unwrap();
    for probe in [Probe::Readiness, Probe::Liveness, Probe::Startup] {
        let report = heartbeat.report(probe).await;
        assert!(report.status(), "{probe}");
        assert!(report.checks().is_empty());
    }
}

#[tokio::test]
async fn checks_are_listed_by_name_whatever_the_order_of_registration() {
    let heartbeat = builder()
        .readiness("zeta", passing())
        .readiness("alpha", passing())
        .readiness("mu", passing())
        .build()
        .unwrap();
    let report = heartbeat.report(Probe::Readiness).await;
    let names: Vec<&str> = report.checks().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["alpha", "mu", "zeta"]);
    assert_eq!(
        heartbeat.check_names(Probe::Readiness).collect::<Vec<_>>(),
        names
    );
}

#[tokio::test(start_paused = true)]
async fn a_check_past_its_time_limit_fails_and_the_probe_answers_on_time() {
    let heartbeat = builder()
        .register(
            Registration::new("hung", check_fn(future::pending::<Outcome>))
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(250)),
        )
        .readiness("quick", passing())
        .build()
        .unwrap();

    let started = Instant::now();
    let report = heartbeat.report(Probe::Readiness).await;
    let elapsed = started.elapsed();

    assert!(!report.status());
    assert_eq!(
        message(&report, "hung").as_deref(),
        Some("timed out after 250ms")
    );
    assert!(report.check("quick").unwrap().status());
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_millis(260),
        "the probe answered after {elapsed:?} on the paused clock"
    );
}

/// A check that never lets go of tokio's cooperative budget: every poll
/// spends all of it and asks to be polled again at once.
async fn spends_its_budget_forever() -> Outcome {
    loop {
        tokio::task::consume_budget().await;
    }
}

#[tokio::test]
async fn a_check_that_spends_its_whole_budget_still_meets_its_time_limit() {
    let heartbeat = builder()
        .register(
            Registration::new("greedy", check_fn(spends_its_budget_forever))
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(20)),
        )
        .build()
        .unwrap();

    // Real time: a task that is never idle keeps a paused clock from
    // moving. The outer limit only turns a hang into a failure.
    let report = tokio::time::timeout(Duration::from_secs(10), heartbeat.report(Probe::Readiness))
        .await
        .expect("the probe answers although its check never yields for long");
    assert_eq!(
        message(&report, "greedy").as_deref(),
        Some("timed out after 20ms")
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_time_limit_applies_and_can_be_changed() {
    let hung = || check_fn(future::pending::<Outcome>);

    let default = builder().readiness("hung", hung()).build().unwrap();
    let report = default.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, "hung").as_deref(),
        Some("timed out after 500ms")
    );
    assert_eq!(heartbeat_core::DEFAULT_TIMEOUT, Duration::from_millis(500));

    let shorter = builder()
        .timeout(Duration::from_millis(100))
        .readiness("hung", hung())
        .build()
        .unwrap();
    let report = shorter.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, "hung").as_deref(),
        Some("timed out after 100ms")
    );
}

#[tokio::test(start_paused = true)]
async fn checks_of_a_probe_run_concurrently() {
    let mut heartbeat = builder();
    for index in 0..50 {
        heartbeat = heartbeat.readiness(
            format!("slow-{index:02}"),
            check_fn(|| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Outcome::pass()
            }),
        );
    }
    let heartbeat = heartbeat.build().unwrap();

    let started = Instant::now();
    let report = heartbeat.report(Probe::Readiness).await;
    let elapsed = started.elapsed();

    assert!(report.status());
    assert_eq!(report.checks().len(), 50);
    // One after another they would take five seconds.
    assert!(
        elapsed < Duration::from_millis(150),
        "fifty 100ms checks took {elapsed:?} on the paused clock"
    );
}

#[tokio::test(start_paused = true)]
async fn each_check_reports_how_long_it_took() {
    let heartbeat = builder()
        .readiness(
            "slow",
            check_fn(|| async {
                tokio::time::sleep(Duration::from_millis(40)).await;
                Outcome::pass()
            }),
        )
        .readiness("quick", passing())
        .build()
        .unwrap();
    let report = heartbeat.report(Probe::Readiness).await;
    let slow = report.check("slow").unwrap();
    assert!(slow.duration() >= Duration::from_millis(40));
    assert!(slow.duration_ms() >= 40.0);
    assert!(report.check("quick").unwrap().duration() < Duration::from_millis(40));
}

struct PanicsWhenCalled;

impl Check for PanicsWhenCalled {
    fn run(&self) -> heartbeat_core::BoxFuture<'_, Outcome> {
        panic!("pool poisoned")
    }
}

#[tokio::test]
async fn a_panicking_check_fails_alone() {
    let heartbeat = builder()
        .readiness(
            "async-panic",
            check_fn(|| async {
                let items: Vec<u8> = Vec::new();
                if items.is_empty() {
                    panic!("no items");
                }
                Outcome::pass()
            }),
        )
        .readiness("sync-panic", PanicsWhenCalled)
        .readiness("healthy", passing())
        .build()
        .unwrap();

    for _ in 0..3 {
        let report = heartbeat.report(Probe::Readiness).await;
        assert!(!report.status());
        assert_eq!(
            message(&report, "async-panic").as_deref(),
            Some("check panicked: no items")
        );
        assert_eq!(
            message(&report, "sync-panic").as_deref(),
            Some("check panicked: pool poisoned")
        );
        assert!(report.check("healthy").unwrap().status());
    }
}

#[test]
fn two_checks_of_one_probe_with_one_name_are_rejected_naming_both() {
    let error = builder()
        .readiness("database", passing())
        .liveness("database", passing())
        .readiness("database", passing())
        .build()
        .unwrap_err();

    assert_eq!(
        error.problems(),
        [Problem::DuplicateName {
            probe: Probe::Readiness,
            name: "database".into(),
            first: Origin::Builder { position: 1 },
            second: Origin::Builder { position: 3 },
        }]
    );
    let text = error.to_string();
    assert!(
        text.contains("two readiness checks are named `database`"),
        "{text}"
    );
    assert!(
        text.contains("check number 1 given to the builder"),
        "{text}"
    );
    assert!(
        text.contains("check number 3 given to the builder"),
        "{text}"
    );
}

#[test]
fn one_name_may_serve_several_probes() {
    let heartbeat = builder()
        .register(
            Registration::new("database", passing()).probes([Probe::Readiness, Probe::Liveness]),
        )
        .build()
        .unwrap();
    assert_eq!(
        heartbeat.check_names(Probe::Readiness).collect::<Vec<_>>(),
        ["database"]
    );
    assert_eq!(
        heartbeat.check_names(Probe::Liveness).collect::<Vec<_>>(),
        ["database"]
    );
}

#[test]
fn every_configuration_problem_is_reported_at_once() {
    let error = builder()
        .prefix("health")
        .timeout(Duration::ZERO)
        .register(Registration::new("orphan", passing()).probes([]))
        .register(
            Registration::new("instant", passing())
                .probes([Probe::Liveness])
                .timeout(Duration::ZERO),
        )
        .readiness("has space", passing())
        .readiness("", passing())
        .build()
        .unwrap_err();

    let problems = error.problems();
    assert!(
        problems.contains(&Problem::InvalidPrefix {
            prefix: "health".into()
        }),
        "{error}"
    );
    assert!(
        problems.contains(&Problem::ZeroTimeout { check: None }),
        "{error}"
    );
    assert!(
        problems.contains(&Problem::ZeroTimeout {
            check: Some("instant".into())
        }),
        "{error}"
    );
    assert!(
        problems.contains(&Problem::NoProbe {
            check: "orphan".into(),
            origin: Origin::Builder { position: 1 },
        }),
        "{error}"
    );
    for name in ["has space", ""] {
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::InvalidName { name: n, .. } if n == name)),
            "{error}"
        );
    }
    let text = error.to_string();
    assert!(text.starts_with(&format!(
        "cannot build the heartbeat, {} problems:",
        problems.len()
    )));
    assert!(text.contains("use one that starts with `/`"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn without_a_time_to_live_every_request_runs_the_checks() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = builder()
        .readiness("counted", counted(&runs))
        .build()
        .unwrap();
    for expected in 1..=3 {
        heartbeat.report(Probe::Readiness).await;
        assert_eq!(runs.load(Ordering::SeqCst), expected);
    }
}

#[tokio::test(start_paused = true)]
async fn a_report_is_reused_until_its_time_to_live_passes() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = builder()
        .readiness("counted", counted(&runs))
        .liveness("other", counted(&Arc::new(AtomicUsize::new(0))))
        .cache(Probe::Readiness, Duration::from_secs(1))
        .build()
        .unwrap();

    let first = heartbeat.report(Probe::Readiness).await;
    tokio::time::advance(Duration::from_millis(999)).await;
    let second = heartbeat.report(Probe::Readiness).await;
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    tokio::time::advance(Duration::from_millis(2)).await;
    let third = heartbeat.report(Probe::Readiness).await;
    assert!(!Arc::ptr_eq(&first, &third));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(third.check("counted").unwrap().outcome().data()["run"], 2);
}

#[tokio::test(start_paused = true)]
async fn a_time_limit_or_time_to_live_too_long_to_count_means_none() {
    let runs = Arc::new(AtomicUsize::new(0));
    let slow = {
        let runs = runs.clone();
        check_fn(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Outcome::pass()
            }
        })
    };
    let heartbeat = builder()
        .readiness("slow", slow)
        .timeout(Duration::MAX)
        .cache(Probe::Readiness, Duration::MAX)
        .build()
        .unwrap();

    let first = heartbeat.report(Probe::Readiness).await;
    assert!(first.status(), "{first:?}");
    tokio::time::advance(Duration::from_secs(10 * 365 * 24 * 3600)).await;
    let second = heartbeat.report(Probe::Readiness).await;
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// A heartbeat whose one readiness check counts its runs and finishes only
/// when the gate lets it, with reports kept for `ttl`.
struct Gated {
    heartbeat: Heartbeat,
    runs: Arc<AtomicUsize>,
    gate: Arc<Semaphore>,
}

impl Gated {
    fn new(ttl: Duration) -> Self {
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Semaphore::new(0));
        let check = {
            let (runs, gate) = (runs.clone(), gate.clone());
            check_fn(move || {
                let (runs, gate) = (runs.clone(), gate.clone());
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    gate.acquire().await.unwrap().forget();
                    Outcome::pass()
                }
            })
        };
        let heartbeat = builder()
            .readiness("gated", check)
            .cache(Probe::Readiness, ttl)
            .build()
            .unwrap();
        Self {
            heartbeat,
            runs,
            gate,
        }
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    /// Opens the gate once, after every request polled so far has been
    /// polled once more.
    async fn release(&self) {
        tokio::task::yield_now().await;
        self.gate.add_permits(1);
    }

    /// Waits until a run has started.
    async fn started(&self) {
        while self.runs() == 0 {
            tokio::task::yield_now().await;
        }
    }
}

#[tokio::test]
async fn concurrent_requests_share_the_run_in_progress() {
    let gated = Gated::new(Duration::from_secs(60));

    // Every request has been polled once, and the shared run is waiting at
    // the gate, before the gate opens.
    let requests = join_all((0..50).map(|_| gated.heartbeat.report(Probe::Readiness)));
    let (reports, ()) = tokio::join!(requests, gated.release());

    assert_eq!(gated.runs(), 1);
    assert!(
        reports
            .iter()
            .all(|report| Arc::ptr_eq(report, &reports[0]))
    );
    assert!(reports[0].status());
}

#[tokio::test]
async fn requests_share_runs_across_tasks() {
    let gated = Gated::new(Duration::from_secs(60));

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let heartbeat = gated.heartbeat.clone();
            tokio::spawn(async move { heartbeat.report(Probe::Readiness).await })
        })
        .collect();
    gated.started().await;
    gated.release().await;
    for task in tasks {
        assert!(task.await.unwrap().status());
    }
    assert_eq!(gated.runs(), 1);
}

#[tokio::test]
async fn a_zero_time_to_live_shares_runs_without_keeping_them() {
    let gated = Gated::new(Duration::ZERO);

    let requests = join_all((0..10).map(|_| gated.heartbeat.report(Probe::Readiness)));
    tokio::join!(requests, gated.release());
    assert_eq!(gated.runs(), 1);

    tokio::join!(gated.heartbeat.report(Probe::Readiness), gated.release());
    assert_eq!(gated.runs(), 2);
}

#[tokio::test]
async fn a_shared_run_finishes_when_the_request_that_started_it_goes_away() {
    let gated = Gated::new(Duration::from_secs(60));

    let first = tokio::spawn({
        let heartbeat = gated.heartbeat.clone();
        async move { heartbeat.report(Probe::Readiness).await }
    });
    gated.started().await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    let (report, ()) = tokio::join!(gated.heartbeat.report(Probe::Readiness), gated.release());
    assert!(report.status());
    assert_eq!(gated.runs(), 1);
}

#[tokio::test]
async fn startup_passes_for_good_once_every_startup_check_passed() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = builder()
        .startup("warm", {
            let runs = runs.clone();
            check_fn(move || {
                let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                async move {
                    if run < 3 {
                        Outcome::fail(format!("warming up ({run} of 3)"))
                    } else {
                        Outcome::pass()
                    }
                }
            })
        })
        .build()
        .unwrap();

    assert!(!heartbeat.report(Probe::Startup).await.status());
    assert!(!heartbeat.report(Probe::Startup).await.status());
    let passed = heartbeat.report(Probe::Startup).await;
    assert!(passed.status());
    for _ in 0..5 {
        assert!(Arc::ptr_eq(
            &heartbeat.report(Probe::Startup).await,
            &passed
        ));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_status_in_a_checks_data_cannot_change_its_status() {
    let heartbeat = builder()
        .readiness(
            "liar",
            check_fn(|| async { Outcome::fail("down").with("status", true) }),
        )
        .build()
        .unwrap();
    let report = heartbeat.report(Probe::Readiness).await;
    assert!(!report.status());
    assert!(!report.check("liar").unwrap().status());
}

#[tokio::test]
async fn environ_contributions_merge_without_touching_status() {
    let heartbeat = builder()
        .environ_value("region", "eu-west-1")
        .environ(
            "b-second",
            check_fn(|| async {
                Outcome::pass()
                    .with("region", "overridden")
                    .with("queue", "jobs")
                    .with("status", false)
            }),
        )
        .environ(
            "a-first",
            check_fn(|| async { Outcome::pass().with("queue", "first").with("build", 7) }),
        )
        .build()
        .unwrap();

    let (status, merged) = heartbeat.environ().await;
    assert!(status);
    assert_eq!(merged["region"], "eu-west-1");
    assert_eq!(merged["queue"], "first");
    assert_eq!(merged["build"], 7);
    assert!(!merged.contains_key("status"));
}

#[tokio::test]
async fn a_failing_contribution_fails_environ_status() {
    let heartbeat = builder()
        .environ(
            "broken",
            check_fn(|| async { Outcome::fail("no data").with("x", 1) }),
        )
        .build()
        .unwrap();
    let (status, merged) = heartbeat.environ().await;
    assert!(!status);
    assert_eq!(merged["x"], 1);
}
