//! `AmqpCheck` against RabbitMQ.

#![cfg(feature = "amqp")]

use crate::support;

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use crate::support::{
    Proxy, assert_fails, assert_passes, assert_survives_cancellation, host_port, redirect, run,
    run_until, shown,
};
use heartbeat_checks::{AmqpCheck, Named};
use lapin::{Connection, ConnectionProperties, options::QueueDeclareOptions, types::FieldTable};

fn url() -> String {
    support::service(
        "HEARTBEAT_TEST_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f",
    )
}

async fn connect(url: &str) -> Arc<Connection> {
    Arc::new(
        Connection::connect(url, ConnectionProperties::default())
            .await
            .unwrap(),
    )
}

/// A queue name no other test or process uses.
fn unique_queue() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("heartbeat-test-{}-{nanos}", std::process::id())
}

/// Declares an exclusive queue, which the broker deletes with the
/// connection.
async fn declare(connection: &Connection, queue: &str) {
    let channel = connection.create_channel().await.unwrap();
    let options = QueueDeclareOptions {
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(queue.into(), options, FieldTable::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn passes_on_an_open_connection() {
    let connection = connect(&url()).await;
    let check = AmqpCheck::new(connection);

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["state"], "connected");
    assert_eq!(outcome.data()["blocked"], false);
    assert_eq!(check.default_name(), "amqp");
}

#[tokio::test]
async fn reports_the_queue_and_recovers_once_it_exists() {
    let connection = connect(&url()).await;
    let queue = unique_queue();
    let check = AmqpCheck::new(connection.clone()).queue(&queue);

    // The queue is missing: the broker closes the check's channel.
    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert!(
        outcome.message().unwrap().contains(&queue),
        "{}",
        shown(&outcome)
    );

    // Once it exists, a new channel finds it.
    declare(&connection, &queue).await;
    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["queue"], queue.as_str());
    assert_eq!(outcome.data()["messages"], 0);
    assert!(outcome.data().contains_key("latency_ms"));
}

#[tokio::test]
async fn survives_runs_dropped_midway() {
    let connection = connect(&url()).await;
    let queue = unique_queue();
    declare(&connection, &queue).await;

    assert_survives_cancellation(&AmqpCheck::new(connection).queue(&queue)).await;
}

#[tokio::test]
async fn fails_once_the_connection_is_cut_without_showing_the_password() {
    let proxy = Proxy::start(host_port(&url())).await.unwrap();
    let url = redirect(&url(), proxy.address());
    let connection = connect(&url).await;
    let queue = unique_queue();
    declare(&connection, &queue).await;
    let check = AmqpCheck::new(connection).queue(&queue);
    assert_passes(&run(&check).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);

    // RabbitMQ's stock account is guest:guest; creating another would change
    // the shared broker. So look for the account and the URL instead.
    let shown = shown(&outcome);
    assert!(!shown.contains("guest:guest"), "{shown}");
    assert!(!shown.contains(&url), "{shown}");
}
