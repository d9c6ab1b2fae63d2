//! What the heartbeat logs of each check run. The test is alone in its
//! binary: `tracing` caches, per place of an event, whether any subscriber
//! wants it, and a test running meanwhile on another thread with none could
//! settle that for this one.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use heartbeat_core::{Heartbeat, Outcome, Request, check_fn};

const PREFIX: &str = "/.well-known/heartbeat";

/// The fields of each DEBUG event of the target `heartbeat`.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<Vec<HashMap<&'static str, String>>>>);

impl tracing::Subscriber for Runs {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "heartbeat" && *metadata.level() == tracing::Level::DEBUG
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(HashMap<&'static str, String>);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.insert(field.name(), format!("{value:?}"));
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name(), value.to_owned());
            }
        }
        let mut fields = Fields(HashMap::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn each_run_is_a_debug_event_with_probe_check_status_and_duration() {
    let runs = Runs::default();
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .readiness("cache", check_fn(|| async { Outcome::pass() }))
        .readiness(
            "database",
            check_fn(|| async { Outcome::fail("connection refused") }),
        )
        .liveness("loop", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap();
    tracing::subscriber::with_default(runs.clone(), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            heartbeat
                .handle(&Request::new("GET", &format!("{PREFIX}/readiness")))
                .await;
            // One check alone runs as the others do.
            heartbeat
                .handle(&Request::new("GET", &format!("{PREFIX}/liveness/loop")))
                .await;
        });
    });

    let events = runs.0.lock().unwrap().clone();
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
