//! `DiskCheck` against this machine's file systems.

#![cfg(feature = "disk")]

use crate::support::{CAPACITY_FIGURES, assert_fails, assert_passes, assert_shows, run};
use heartbeat_checks::{DiskCheck, Named};

#[tokio::test]
async fn passes_above_the_floors_with_the_figures() {
    let check = DiskCheck::new(std::env::temp_dir())
        .min_available(1)
        .min_available_percent(0.0);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_shows(&outcome, &CAPACITY_FIGURES);
    assert_eq!(outcome.data()["min_available_bytes"], 1);
    assert!(!outcome.data().contains_key("min_available_percent"));
    assert_eq!(check.default_name(), "disk");
}

#[tokio::test]
async fn fails_below_a_floor() {
    let check = DiskCheck::new(std::env::temp_dir()).min_available(u64::MAX);

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert!(
        outcome
            .message()
            .unwrap()
            .contains("below the minimum of 16.0 EiB")
    );
}

#[tokio::test]
async fn fails_on_a_missing_path() {
    let outcome = run(&DiskCheck::new("/nonexistent-heartbeat-directory")).await;
    assert_fails(&outcome);
    assert_eq!(outcome.data()["path"], "/nonexistent-heartbeat-directory");
}
