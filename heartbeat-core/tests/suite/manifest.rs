//! The Kubernetes manifest of the examples points its probes at endpoints
//! that exist, and gives them time for the default time limit.

use heartbeat_core::{DEFAULT_TIMEOUT, Heartbeat, Request};

const MANIFEST: &str = include_str!("../../../examples/kubernetes/deployment.yaml");

/// The value of each `key: value` line of the manifest.
fn values<'a>(key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    MANIFEST.lines().filter_map(move |line| {
        let line = line.trim_start().trim_start_matches("- ");
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        Some(value.trim().trim_matches('"'))
    })
}

#[tokio::test]
async fn every_probe_path_is_an_endpoint() {
    let heartbeat = Heartbeat::builder()
        .without_declared()
        .metrics(true)
        .build()
        .unwrap();
    let paths: Vec<&str> = values("path").chain(values("prometheus.io/path")).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    for path in paths {
        let response = heartbeat.handle(&Request::new("GET", path)).await;
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[test]
fn every_probe_waits_longer_than_a_check_may_run() {
    let timeouts: Vec<u64> = values("timeoutSeconds")
        .map(|value| value.parse().unwrap())
        .collect();
    assert_eq!(timeouts.len(), 3);
    for seconds in timeouts {
        assert!(
            u128::from(seconds) * 1000 >= DEFAULT_TIMEOUT.as_millis() * 2,
            "{seconds}"
        );
    }
}
