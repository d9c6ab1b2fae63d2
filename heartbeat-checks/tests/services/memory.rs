//! `MemoryCheck` against this machine.

#![cfg(feature = "memory")]

use crate::support::{CAPACITY_FIGURES, assert_fails, assert_passes, assert_shows, run};
use heartbeat_checks::{MemoryCheck, Named};

#[tokio::test]
async fn passes_above_the_floors_with_the_figures() {
    let check = MemoryCheck::new()
        .min_available(1)
        .min_available_percent(0.0);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_shows(&outcome, &CAPACITY_FIGURES);
    assert_shows(&outcome, &["limited_by"]);
    assert_eq!(check.default_name(), "memory");
}

#[tokio::test]
async fn fails_below_a_floor() {
    let outcome = run(&MemoryCheck::new().min_available(u64::MAX)).await;
    assert_fails(&outcome);
    assert!(outcome.message().unwrap().contains("memory available"));
}
