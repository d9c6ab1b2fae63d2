//! `DnsCheck` against the system's resolver.

#![cfg(feature = "dns")]

use crate::support::{assert_fails, assert_passes, run};
use heartbeat_checks::{DnsCheck, Named};

#[tokio::test]
async fn passes_when_the_name_resolves() {
    let check = DnsCheck::new("localhost");

    let outcome = run(&check).await;
    assert_passes(&outcome);
    let addresses = outcome.data()["addresses"].as_array().unwrap();
    assert!(
        addresses
            .iter()
            .any(|address| address == "127.0.0.1" || address == "::1"),
        "{addresses:?}"
    );
    assert_eq!(check.default_name(), "dns");
}

/// `.invalid` never resolves (RFC 6761).
#[tokio::test]
async fn fails_when_the_name_does_not_resolve() {
    let outcome = run(&DnsCheck::new("heartbeat-test.invalid")).await;
    assert_fails(&outcome);
}
