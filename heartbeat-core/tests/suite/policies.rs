//! Check policies: checks that are not critical, background checks, and
//! thresholds of runs in a row; their configuration errors; and the same
//! options on `#[probe]`.
//!
//! Time runs on tokio's paused clock, which advances only when every task
//! is idle, so a background check's schedule costs no real time and does
//! not depend on how busy the machine is.

use std::{
    collections::VecDeque,
    future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use crate::support::{body, builder, counted, failing, get, get_json, message, passing};
use heartbeat_core::{
    Check, Details, Heartbeat, HeartbeatBuilder, Outcome, Probe, Problem, Registration, Report,
    check_fn, probe,
};
use serde_json::{Value, json};

/// A registration of `check` on readiness alone.
fn readiness(name: &str, check: impl Check) -> Registration {
    Registration::new(name, check).probes([Probe::Readiness])
}

/// A failing `cache` that is not critical, beside `database`.
fn failing_cache_beside(database: impl Check) -> HeartbeatBuilder {
    builder()
        .register(readiness("cache", failing("connection refused")).critical(false))
        .readiness("database", database)
}

/// A heartbeat whose one check, `replication`, runs in the background
/// every ten seconds and counts its runs.
fn replication(runs: &Arc<AtomicUsize>) -> Heartbeat {
    only(readiness("replication", counted(runs)).background(Duration::from_secs(10)))
}

/// A heartbeat with this one check.
fn only(registration: Registration) -> Heartbeat {
    builder().register(registration).build().unwrap()
}

/// A runtime on this thread, on a paused clock.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

/// A check that passes or fails as scripted, one run at a time, and passes
/// once the script is over.
fn scripted(script: &[bool]) -> impl Check {
    let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
    check_fn(move || {
        let passes = script.lock().unwrap().pop_front().unwrap_or(true);
        async move {
            if passes {
                Outcome::pass()
            } else {
                Outcome::fail("timed out reading the reply")
            }
        }
    })
}

/// The run count a [`counted`] check showed in a report.
fn run_shown<'a>(report: &'a Report, check: &str) -> &'a Value {
    &report.check(check).unwrap().outcome().data()["run"]
}

/// Lets every task that can run, run, without moving the clock.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_failing_check_that_is_not_critical_degrades_the_probe() {
    let heartbeat = failing_cache_beside(passing()).build().unwrap();

    let report = heartbeat.report(Probe::Readiness).await;
    assert!(report.status());
    assert!(report.degraded());
    assert!(!report.check("cache").unwrap().critical());
    assert!(report.check("database").unwrap().critical());

    let (status, body) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], true);
    assert_eq!(body["degraded"], true);
    assert_eq!(body["checks"]["cache"]["status"], false);
    assert_eq!(body["checks"]["cache"]["critical"], false);
    assert_eq!(body["checks"]["cache"]["message"], "connection refused");
    assert!(body["checks"]["database"].get("critical").is_none());
}

#[tokio::test]
async fn withheld_details_still_say_what_is_degraded() {
    let heartbeat = failing_cache_beside(passing())
        .details(Probe::Readiness, Details::StatusOnly)
        .build()
        .unwrap();
    let response = get(&heartbeat, "readiness").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        body(&response),
        concat!(
            r#"{"status":true,"degraded":true,"checks":{"#,
            r#""cache":{"status":false,"critical":false,"message":"reason withheld"},"#,
            r#""database":{"status":true}}}"#
        )
    );
}

#[tokio::test]
async fn degraded_shows_only_while_the_probe_passes() {
    let all_pass = only(readiness("cache", passing()).critical(false));
    let (status, body) = get_json(&all_pass, "readiness").await;
    assert_eq!(status, 200);
    assert!(body.get("degraded").is_none());
    assert_eq!(body["checks"]["cache"]["critical"], false);

    let failing_too = failing_cache_beside(failing("connection refused"))
        .build()
        .unwrap();
    let (status, body) = get_json(&failing_too, "readiness").await;
    assert_eq!(status, 500);
    assert!(body.get("degraded").is_none());
}

#[tokio::test(start_paused = true)]
async fn a_background_check_runs_on_its_interval_and_requests_read_its_result() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = replication(&runs);

    // Spawned when built; its first run is at once.
    settle().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    for _ in 0..5 {
        let report = heartbeat.report(Probe::Readiness).await;
        assert!(report.status());
        assert_eq!(run_shown(&report, "replication"), 1);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "requests do not run it");

    tokio::time::sleep(Duration::from_secs(35)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    let report = heartbeat.report(Probe::Readiness).await;
    assert_eq!(run_shown(&report, "replication"), 4);
}

#[tokio::test(start_paused = true)]
async fn intervals_and_time_limits_too_long_to_count_run_a_background_check_once() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = only(
        readiness("replication", counted(&runs))
            .background(Duration::MAX)
            .max_age(Duration::MAX)
            .timeout(Duration::MAX),
    );

    settle().await;
    tokio::time::sleep(Duration::from_secs(10 * 365 * 24 * 3600)).await;
    let report = heartbeat.report(Probe::Readiness).await;
    assert!(report.status(), "{report:?}");
    assert_eq!(run_shown(&report, "replication"), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_background_check_of_several_probes_runs_once_for_all() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = builder()
        .register(
            Registration::new("disk", counted(&runs))
                .probes([Probe::Readiness, Probe::Liveness])
                .background(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    for probe in [Probe::Readiness, Probe::Liveness] {
        let report = heartbeat.report(probe).await;
        assert_eq!(run_shown(&report, "disk"), 3, "{probe}");
    }
}

#[tokio::test(start_paused = true)]
async fn background_checks_stop_when_the_last_clone_is_dropped() {
    let tasks = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = builder()
        .register(readiness("replication", counted(&runs)).background(Duration::from_secs(1)))
        // One that is mid-run when the heartbeat goes.
        .register(
            Registration::new("hung", check_fn(future::pending::<Outcome>))
                .probes([Probe::Liveness])
                .timeout(Duration::from_secs(3600))
                .background(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let clone = heartbeat.clone();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    assert_eq!(tasks(), 2);

    drop(heartbeat);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 14, "a clone keeps them going");

    drop(clone);
    settle().await;
    assert_eq!(tasks(), 0, "no task is left behind");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 14);
}

#[test]
fn built_outside_a_runtime_a_background_check_starts_on_the_first_request() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = replication(&runs);
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    paused().block_on(async {
        let first = heartbeat.report(Probe::Readiness).await;
        assert!(!first.status());
        assert_eq!(
            message(&first, "replication").as_deref(),
            Some("not run yet")
        );

        settle().await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(heartbeat.report(Probe::Readiness).await.status());
    });
}

#[test]
fn a_result_too_old_fails_and_says_how_old() {
    let runs = Arc::new(AtomicUsize::new(0));

    // The task runs on the runtime that built the heartbeat, and ends with
    // it: its last result then ages.
    let first = paused();
    let heartbeat = first.block_on(async {
        let heartbeat = replication(&runs);
        settle().await;
        heartbeat
    });
    drop(first);
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    paused().block_on(async {
        assert!(heartbeat.report(Probe::Readiness).await.status());

        tokio::time::advance(Duration::from_secs(45)).await;
        let report = heartbeat.report(Probe::Readiness).await;
        assert!(!report.status());
        let message = message(&report, "replication").unwrap();
        assert!(
            message.starts_with("latest result is 45")
                && message.ends_with("s old, older than the 30s allowed"),
            "{message}"
        );
    });
}

#[tokio::test(start_paused = true)]
async fn a_failure_threshold_holds_the_passing_state_and_shows_the_count() {
    let heartbeat = only(
        readiness("upstream", scripted(&[true, false, false, false, true])).failure_threshold(3),
    );
    let counts_failures = |body: &Value| {
        body["checks"]["upstream"]
            .get("consecutive_failures")
            .is_some()
    };

    let (status, body) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 200);
    assert!(!counts_failures(&body));

    for failures in 1..=2 {
        let (status, body) = get_json(&heartbeat, "readiness").await;
        assert_eq!(status, 200, "after {failures} failures");
        let entry = &body["checks"]["upstream"];
        assert_eq!(entry["status"], true);
        assert_eq!(entry["consecutive_failures"], failures);
        assert_eq!(entry["message"], "timed out reading the reply");
    }

    let (status, body) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 500);
    assert_eq!(body["checks"]["upstream"]["consecutive_failures"], 3);

    // Recovery takes one pass, as the success threshold is 1.
    let (status, body) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 200);
    assert!(!counts_failures(&body));
}

#[tokio::test]
async fn a_success_threshold_holds_the_failing_state() {
    let heartbeat =
        only(readiness("upstream", scripted(&[false, true, true, true])).success_threshold(3));
    let mut shown = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..4 {
        let report = heartbeat.report(Probe::Readiness).await;
        let check = report.check("upstream").unwrap();
        shown.push(check.status());
        counts.push(check.consecutive_successes());
    }
    assert_eq!(shown, [false, false, false, true]);
    assert_eq!(counts, [Some(0), Some(1), Some(2), Some(3)]);

    let heartbeat = only(readiness("upstream", scripted(&[false, true])).success_threshold(2));
    heartbeat.report(Probe::Readiness).await;
    let (status, body) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 500);
    assert_eq!(
        body["checks"]["upstream"],
        json!({
            "status": false,
            "duration_ms": body["checks"]["upstream"]["duration_ms"],
            "consecutive_successes": 1,
            "message": "recovering: passed 1 of the 2 runs in a row needed",
        })
    );
}

#[tokio::test(start_paused = true)]
async fn thresholds_count_the_runs_of_a_background_check() {
    let heartbeat = only(
        readiness("upstream", scripted(&[true, false, false]))
            .background(Duration::from_secs(1))
            .failure_threshold(2),
    );
    // Runs at 0s (passes), 1s and 2s (fail); requests half-way between.
    settle().await;
    assert!(heartbeat.report(Probe::Readiness).await.status());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let report = heartbeat.report(Probe::Readiness).await;
    assert!(report.status(), "one failure is under the threshold");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!heartbeat.report(Probe::Readiness).await.status());
}

#[test]
fn policies_that_cannot_work_are_refused_when_built() {
    let check = || check_fn(|| async { true });
    let error = builder()
        .register(readiness("a", check()).background(Duration::ZERO))
        .register(
            readiness("b", check())
                .failure_threshold(0)
                .success_threshold(0),
        )
        .register(readiness("c", check()).max_age(Duration::from_secs(30)))
        .register(
            readiness("d", check())
                .timeout(Duration::from_secs(2))
                .background(Duration::from_secs(10))
                .max_age(Duration::from_secs(11)),
        )
        .build()
        .unwrap_err();

    assert_eq!(
        error.problems(),
        [
            Problem::ZeroInterval { check: "a".into() },
            Problem::ZeroThreshold {
                check: "b".into(),
                threshold: "failure_threshold"
            },
            Problem::ZeroThreshold {
                check: "b".into(),
                threshold: "success_threshold"
            },
            Problem::MaxAgeWithoutInterval { check: "c".into() },
            Problem::MaxAgeTooShort {
                check: "d".into(),
                max_age: Duration::from_secs(11),
                least: Duration::from_secs(12),
            },
        ]
    );
    let text = error.to_string();
    for advice in [
        "give it a positive one",
        "give it 1 (the state follows every run) or more",
        "give it an interval with `Registration::background`, or remove the max_age",
        "give a max_age of at least 12s",
    ] {
        assert!(text.contains(advice), "{advice}\nin\n{text}");
    }
}

/// Not critical, in the background, with thresholds: every option at once.
#[probe(
    liveness,
    name = "declared-cache",
    critical = false,
    interval = "1s",
    max_age = "1m",
    failure_threshold = 2,
    success_threshold = 3
)]
async fn declared_cache() -> Outcome {
    Outcome::fail("evicting")
}

#[tokio::test(start_paused = true)]
async fn the_attribute_sets_the_same_policies() {
    let heartbeat = Heartbeat::builder().build().unwrap();
    let report = heartbeat.report(Probe::Liveness).await;
    let check = report.check("declared-cache").unwrap();
    assert_eq!(check.outcome().message(), Some("not run yet"));
    assert!(!check.critical());
    assert!(report.status() && report.degraded());

    settle().await;
    let report = heartbeat.report(Probe::Liveness).await;
    let check = report.check("declared-cache").unwrap();
    assert_eq!(check.outcome().message(), Some("evicting"));
    assert_eq!(check.consecutive_failures(), Some(1));

    // Two minutes on, a run every second has kept the result fresh.
    tokio::time::sleep(Duration::from_millis(120_500)).await;
    let report = heartbeat.report(Probe::Liveness).await;
    assert_eq!(
        report
            .check("declared-cache")
            .unwrap()
            .consecutive_failures(),
        Some(121)
    );
}
