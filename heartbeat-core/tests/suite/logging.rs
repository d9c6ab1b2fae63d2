//! What the heartbeat logs of each check run. The test is alone in its
//! binary: `tracing` caches, per place of an event, whether any subscriber
//! wants it, and a test running meanwhile on another thread with none could
//! settle that for this one.

use crate::support::{events_while, get, with_checks};

#[test]
fn each_run_is_a_debug_event_with_probe_check_status_and_duration() {
    let heartbeat = with_checks("connection refused").build().unwrap();
    let events = events_while(tracing::Level::DEBUG, async {
        get(&heartbeat, "readiness").await;
        // One check alone runs as the others do.
        get(&heartbeat, "liveness/loop").await;
    });

    let event = |check: &str| {
        events
            .iter()
            .find(|event| event.get("check").map(String::as_str) == Some(check))
            .unwrap_or_else(|| panic!("no event for {check}: {events:?}"))
    };
    for (probe, check, status) in [
        ("readiness", "cache", "true"),
        ("readiness", "database", "false"),
        ("liveness", "loop", "true"),
    ] {
        let event = event(check);
        assert_eq!(event["probe"], probe);
        assert_eq!(event["status"], status);
        assert!(event["duration_ms"].parse::<f64>().is_ok(), "{event:?}");
    }
}
