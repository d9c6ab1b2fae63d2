//! The instance's lifecycle: graceful shutdown with its drain delay, taking
//! the instance out of service and back, and listeners of changes.
//!
//! Time runs on tokio's paused clock, which advances only when every task
//! is idle: a drain delay costs no real time, and when it ends does not
//! depend on how busy the machine is.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use crate::support::{builder, failing, get_json, message, passing, switched};
use heartbeat_core::{
    Change, DEFAULT_DRAIN, Probe, Problem, Registration, SERVICE_CHECK, Service, check_fn,
};
use serde_json::json;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn shutdown_fails_readiness_at_once_and_keeps_liveness() {
    let heartbeat = builder()
        .readiness("database", passing())
        .liveness("loop", passing())
        // A kept passing report must not hide the shutdown.
        .cache(Probe::Readiness, Duration::from_secs(3600))
        .drain(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(heartbeat.report(Probe::Readiness).await.status());

    let drained = heartbeat.shutdown();
    assert_eq!(heartbeat.service(), Service::ShuttingDown);

    let (status, readiness) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 500);
    assert_eq!(readiness["status"], false);
    assert_eq!(
        readiness["checks"][SERVICE_CHECK],
        json!({"status": false, "duration_ms": 0.0, "message": "shutting down"})
    );
    assert_eq!(readiness["checks"]["database"]["status"], true);

    let (status, liveness) = get_json(&heartbeat, "liveness").await;
    assert_eq!(status, 200);
    assert!(liveness["checks"].get(SERVICE_CHECK).is_none());

    let started = Instant::now();
    drained.await;
    assert_eq!(started.elapsed(), Duration::from_secs(10));

    // Readiness fails for good.
    let report = heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, SERVICE_CHECK).as_deref(),
        Some("shutting down")
    );
}

#[tokio::test(start_paused = true)]
async fn the_drain_delay_is_five_seconds_unless_set() {
    assert_eq!(DEFAULT_DRAIN, Duration::from_secs(5));
    let heartbeat = builder().build().unwrap();

    let started = Instant::now();
    heartbeat.shutdown().await;
    assert_eq!(started.elapsed(), DEFAULT_DRAIN);

    let quick = builder().drain(Duration::ZERO).build().unwrap();
    let started = Instant::now();
    quick.shutdown().await;
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn shutting_down_again_ends_with_the_first_drain() {
    let heartbeat = builder().drain(Duration::from_secs(8)).build().unwrap();
    let started = Instant::now();
    let first = heartbeat.shutdown();

    tokio::time::advance(Duration::from_secs(3)).await;
    let clone = heartbeat.clone();
    clone.shutdown().await;
    assert_eq!(started.elapsed(), Duration::from_secs(8));
    first.await;
    assert_eq!(started.elapsed(), Duration::from_secs(8));
}

#[tokio::test(start_paused = true)]
async fn a_drain_too_long_to_count_never_ends() {
    let heartbeat = builder().drain(Duration::MAX).build().unwrap();
    let drained = heartbeat.shutdown();
    assert!(!heartbeat.report(Probe::Readiness).await.status());
    let ended = tokio::time::timeout(Duration::from_secs(100 * 365 * 24 * 3600), drained).await;
    assert!(ended.is_err(), "the drain ended");
}

#[tokio::test]
async fn the_shutdown_future_needs_no_polling_to_fail_readiness() {
    let heartbeat = builder().build().unwrap();
    drop(heartbeat.shutdown());
    assert!(!heartbeat.report(Probe::Readiness).await.status());
}

#[tokio::test]
async fn out_of_service_fails_readiness_until_back_in_service() {
    let heartbeat = builder()
        .readiness("database", passing())
        .cache(Probe::Readiness, Duration::from_secs(3600))
        .build()
        .unwrap();
    assert!(heartbeat.report(Probe::Readiness).await.status());

    heartbeat.set_out_of_service("maintenance");
    let report = heartbeat.report(Probe::Readiness).await;
    assert!(!report.status());
    assert_eq!(
        message(&report, SERVICE_CHECK).as_deref(),
        Some("out of service: maintenance")
    );
    assert!(heartbeat.report(Probe::Liveness).await.status());

    heartbeat.set_out_of_service("migrating the schema");
    let report = heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, SERVICE_CHECK).as_deref(),
        Some("out of service: migrating the schema")
    );

    heartbeat.set_in_service();
    assert_eq!(heartbeat.service(), Service::InService);
    let report = heartbeat.report(Probe::Readiness).await;
    assert!(report.status());
    assert!(report.check(SERVICE_CHECK).is_none());
}

#[tokio::test]
async fn shutdown_wins_over_the_service_state() {
    let heartbeat = builder().build().unwrap();
    heartbeat.set_out_of_service("maintenance");
    let _drained = heartbeat.shutdown();

    let report = heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, SERVICE_CHECK).as_deref(),
        Some("shutting down")
    );

    heartbeat.set_in_service();
    heartbeat.set_out_of_service("maintenance");
    assert_eq!(heartbeat.service(), Service::ShuttingDown);
    let report = heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        message(&report, SERVICE_CHECK).as_deref(),
        Some("shutting down")
    );
}

#[tokio::test]
async fn the_service_entry_stays_when_checks_are_excluded_but_not_on_a_check_alone() {
    let heartbeat = builder()
        .readiness("cache", passing())
        .readiness("database", passing())
        .build()
        .unwrap();
    heartbeat.set_out_of_service("maintenance");

    let (status, excluded) = get_json(&heartbeat, "readiness?exclude=cache").await;
    assert_eq!(status, 500);
    let names: Vec<&String> = excluded["checks"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["database", SERVICE_CHECK]);

    let (status, alone) = get_json(&heartbeat, "readiness/database").await;
    assert_eq!(status, 200);
    assert!(alone["checks"].get(SERVICE_CHECK).is_none());

    // The entry is not a check: asking to exclude it excludes nothing.
    let (status, excluded) =
        get_json(&heartbeat, &format!("readiness?exclude={SERVICE_CHECK}")).await;
    assert_eq!(status, 500);
    assert_eq!(excluded["excluded_unknown"], json!([SERVICE_CHECK]));
}

#[test]
fn no_check_may_take_the_service_entry_name() {
    let error = builder()
        .liveness(SERVICE_CHECK, check_fn(|| async { true }))
        .build()
        .unwrap_err();
    assert!(matches!(
        error.problems(),
        [Problem::ReservedName { name, .. }] if name == SERVICE_CHECK
    ));
    let text = error.to_string();
    assert!(text.contains("`in_service`"), "{text}");
    assert!(text.contains("give the check another name"), "{text}");
}

/// Every change the listener heard, as text.
fn recorder() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(&Change) + Send + Sync + 'static,
) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let listener = move |change: &Change| sink.lock().unwrap().push(change.to_string());
    (heard, listener)
}

fn take(heard: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *heard.lock().unwrap())
}

#[tokio::test]
async fn listeners_hear_each_probe_and_check_change_once() {
    let up = Arc::new(AtomicBool::new(true));
    let database = switched(&up, "refused");
    let (heard, listener) = recorder();
    let heartbeat = builder()
        .readiness("database", database)
        .on_change(listener)
        .build()
        .unwrap();

    heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        take(&heard),
        [
            "readiness check database is passing",
            "readiness is passing"
        ]
    );

    heartbeat.report(Probe::Readiness).await;
    assert!(take(&heard).is_empty(), "nothing changed");

    up.store(false, Ordering::SeqCst);
    heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        take(&heard),
        [
            "readiness check database is failing: refused",
            "readiness is failing"
        ]
    );

    up.store(true, Ordering::SeqCst);
    heartbeat.report(Probe::Readiness).await;
    assert_eq!(
        take(&heard),
        [
            "readiness check database is passing",
            "readiness is passing"
        ]
    );
}

#[tokio::test]
async fn listeners_hear_of_the_service_state_at_once() {
    let (heard, listener) = recorder();
    let heartbeat = builder().on_change(listener).build().unwrap();
    heartbeat.report(Probe::Readiness).await;
    assert_eq!(take(&heard), ["readiness is passing"]);

    heartbeat.set_out_of_service("maintenance");
    assert_eq!(
        take(&heard),
        [
            "readiness check in_service is failing: out of service: maintenance",
            "readiness is failing"
        ]
    );
    heartbeat.report(Probe::Readiness).await;
    assert!(take(&heard).is_empty(), "already told");

    heartbeat.set_in_service();
    assert_eq!(take(&heard), ["readiness check in_service is passing"]);
    heartbeat.report(Probe::Readiness).await;
    assert_eq!(take(&heard), ["readiness is passing"]);

    let _drained = heartbeat.shutdown();
    assert_eq!(
        take(&heard),
        [
            "readiness check in_service is failing: shutting down",
            "readiness is failing"
        ]
    );
    heartbeat.report(Probe::Liveness).await;
    assert_eq!(take(&heard), ["liveness is passing"]);
}

#[tokio::test]
async fn a_panicking_listener_breaks_neither_the_probe_nor_other_listeners() {
    let (heard, listener) = recorder();
    let heartbeat = builder()
        .readiness("database", failing("refused"))
        .on_change(|_: &Change| panic!("the listener is broken"))
        .on_change(listener)
        .build()
        .unwrap();

    let report = heartbeat.report(Probe::Readiness).await;
    assert!(!report.status());
    assert_eq!(message(&report, "database").as_deref(), Some("refused"));
    assert_eq!(
        take(&heard),
        [
            "readiness check database is failing: refused",
            "readiness is failing"
        ]
    );

    let (status, _) = get_json(&heartbeat, "readiness").await;
    assert_eq!(status, 500);
}

#[tokio::test]
async fn the_environ_page_has_no_changes() {
    let (heard, listener) = recorder();
    let heartbeat = builder()
        .environ("build", passing())
        .on_change(listener)
        .build()
        .unwrap();
    heartbeat.environ().await;
    assert!(take(&heard).is_empty());
}

#[tokio::test]
async fn a_check_run_alone_changes_its_state_but_not_the_probe() {
    let (heard, listener) = recorder();
    let heartbeat = builder()
        .register(Registration::new("database", failing("refused")).probes([Probe::Readiness]))
        .on_change(listener)
        .build()
        .unwrap();

    let (status, _) = get_json(&heartbeat, "readiness/database").await;
    assert_eq!(status, 500);
    assert_eq!(
        take(&heard),
        ["readiness check database is failing: refused"]
    );
}
