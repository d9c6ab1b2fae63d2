//! Checks declared with `#[probe]` are found when the binary is linked, get
//! the state the application gives the builder, and fail the build of the
//! heartbeat, naming what is missing, when that state was not given.

use std::{future, io, time::Duration};

use heartbeat_core::{Heartbeat, Origin, Outcome, Probe, Problem, check_fn, probe};

/// Stands for a connection pool the application owns.
struct Pool {
    healthy: bool,
}

/// State taken by value: each run gets a clone.
#[derive(Clone)]
struct Region(&'static str);

#[probe(readiness)]
async fn database(pool: &Pool) -> Outcome {
    if pool.healthy {
        Outcome::pass().with("connections", 4)
    } else {
        Outcome::fail("pool exhausted")
    }
}

#[probe(readiness, liveness, name = "event-loop", timeout = "2s")]
async fn renamed() -> bool {
    true
}

#[probe(liveness, timeout = "20ms")]
async fn hangs() -> bool {
    future::pending().await
}

#[probe(readiness)]
async fn fallible(region: Region) -> Result<Outcome, String> {
    Err(format!("no quota left in {}", region.0))
}

#[probe(startup)]
async fn migrations(_pool: &Pool) -> io::Result<()> {
    Ok(())
}

#[probe(environ)]
async fn deployment(region: Region) -> Outcome {
    Outcome::pass()
        .with("region", region.0)
        .with("status", false)
}

fn heartbeat(healthy: bool) -> Heartbeat {
    Heartbeat::builder()
        .state(Pool { healthy })
        .state(Region("eu-west-1"))
        .build()
        .expect("every declared check has its state")
}

#[tokio::test]
async fn declared_checks_join_the_probes_they_name() {
    let heartbeat = heartbeat(true);
    let names = |probe| heartbeat.check_names(probe).collect::<Vec<_>>();
    assert_eq!(
        names(Probe::Readiness),
        ["database", "event-loop", "fallible"]
    );
    assert_eq!(names(Probe::Liveness), ["event-loop", "hangs"]);
    assert_eq!(names(Probe::Startup), ["migrations"]);
    assert_eq!(names(Probe::Environ), ["deployment"]);
}

#[tokio::test]
async fn declared_checks_use_the_state_given_to_the_builder() {
    let healthy = heartbeat(true).report(Probe::Readiness).await;
    let database = healthy.check("database").unwrap();
    assert!(database.status());
    assert_eq!(database.outcome().data()["connections"], 4);

    let unhealthy = heartbeat(false).report(Probe::Readiness).await;
    assert_eq!(
        unhealthy.check("database").unwrap().outcome().message(),
        Some("pool exhausted")
    );
}

#[tokio::test]
async fn an_error_returned_by_a_check_becomes_its_message() {
    let report = heartbeat(true).report(Probe::Readiness).await;
    let fallible = report.check("fallible").unwrap();
    assert!(!fallible.status());
    assert_eq!(
        fallible.outcome().message(),
        Some("no quota left in eu-west-1")
    );
    assert!(!report.status());
    assert!(heartbeat(true).report(Probe::Startup).await.status());
}

#[tokio::test(start_paused = true)]
async fn a_declared_time_limit_applies() {
    let report = heartbeat(true).report(Probe::Liveness).await;
    assert_eq!(
        report.check("hangs").unwrap().outcome().message(),
        Some("timed out after 20ms")
    );
    assert!(report.check("event-loop").unwrap().status());
}

#[tokio::test]
async fn environ_contributions_merge_but_cannot_set_status() {
    let (status, merged) = heartbeat(true).environ().await;
    assert!(status);
    assert_eq!(merged["region"], "eu-west-1");
    assert!(!merged.contains_key("status"));
}

#[test]
fn missing_state_fails_the_build_naming_the_check_and_the_type() {
    let error = Heartbeat::builder()
        .state(Region("eu-west-1"))
        .build()
        .unwrap_err();

    let missing: Vec<(&str, &str)> = error
        .problems()
        .iter()
        .filter_map(|problem| match problem {
            Problem::MissingState { check, missing, .. } => {
                Some((check.as_str(), missing.type_name()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        missing,
        [
            ("database", "registration::Pool"),
            ("migrations", "registration::Pool")
        ]
    );

    let text = error.to_string();
    assert!(text.contains("check `database`"), "{text}");
    assert!(text.contains("registration::Pool"), "{text}");
    assert!(text.contains("HeartbeatBuilder::state"), "{text}");
    assert!(text.contains("registration.rs:"), "{text}");
}

#[test]
fn a_builder_check_cannot_reuse_a_declared_name() {
    let error = Heartbeat::builder()
        .state(Pool { healthy: true })
        .state(Region("eu-west-1"))
        .readiness("database", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap_err();

    let [
        Problem::DuplicateName {
            probe,
            name,
            first,
            second,
        },
    ] = error.problems()
    else {
        panic!("expected one duplicate, got {error}");
    };
    assert_eq!((*probe, name.as_str()), (Probe::Readiness, "database"));
    assert!(
        matches!(first, Origin::Declared { function, file, .. }
            if function.ends_with("database") && file.ends_with("registration.rs")),
        "{first:?}"
    );
    assert_eq!(*second, Origin::Builder { position: 1 });
}

#[tokio::test]
async fn declared_checks_can_be_left_out() {
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    assert_eq!(heartbeat.check_names(Probe::Readiness).count(), 0);
}
