//! `TcpCheck` against ports owned by the tests.

#![cfg(feature = "tcp")]

use crate::support::{assert_fails, assert_passes, dead_port, run};
use heartbeat_checks::{Named, TcpCheck};
use tokio::net::TcpListener;

#[tokio::test]
async fn passes_when_the_port_accepts() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let check = TcpCheck::new(&address);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["address"], address.as_str());
    assert_eq!(outcome.data()["peer"], address.as_str());
    assert_eq!(check.default_name(), address);
}

#[tokio::test]
async fn resolves_host_names() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();

    assert_passes(&run(&TcpCheck::new(format!("localhost:{port}"))).await);
}

#[tokio::test]
async fn fails_when_nothing_listens() {
    let address = format!("127.0.0.1:{}", dead_port().await);

    let outcome = run(&TcpCheck::new(&address)).await;
    assert_fails(&outcome);
    assert!(outcome.message().unwrap().contains(&address));
}
