//! `MqttCheck` against Mosquitto.

#![cfg(feature = "mqtt")]

use crate::support;

use std::{net::SocketAddr, time::Duration};

use crate::support::{
    PASSWORD, Proxy, assert_fails, assert_no_secret, assert_passes, dead_port, run, run_until,
};
use heartbeat_checks::{MqttCheck, MqttRecorder, Named};
use rumqttc::{AsyncClient, ConnAck, ConnectReturnCode, Event, EventLoop, MqttOptions, Packet};
use tokio::{net::lookup_host, task::JoinHandle};

async fn broker() -> SocketAddr {
    let address = support::service("HEARTBEAT_TEST_MQTT_ADDR", "127.0.0.1:1883");
    lookup_host(address).await.unwrap().next().unwrap()
}

/// A client of `address`, with an id of its own.
fn client(name: &str, address: SocketAddr) -> (AsyncClient, EventLoop) {
    let id = format!("heartbeat-test-{name}-{}", std::process::id());
    let options = MqttOptions::new(id, address.ip().to_string(), address.port());
    AsyncClient::new(options, 10)
}

/// Polls the event loop as an application would, waiting a little after
/// each error before the next attempt to connect.
fn drive(mut eventloop: EventLoop, recorder: MqttRecorder) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if recorder.poll(&mut eventloop).await.is_err() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    })
}

fn connack() -> Event {
    Event::Incoming(Packet::ConnAck(ConnAck::new(
        ConnectReturnCode::Success,
        false,
    )))
}

#[tokio::test]
async fn passes_once_connected() {
    let (_client, eventloop) = client("pass", broker().await);
    let check = MqttCheck::new();
    let driver = drive(eventloop, check.recorder());

    let outcome = run_until(&check, |outcome| outcome.status()).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["state"], "connected");
    assert_eq!(outcome.data()["connections"], 1);
    assert_eq!(check.default_name(), "mqtt");
    driver.abort();
}

#[tokio::test]
async fn fails_once_the_connection_is_cut() {
    let proxy = Proxy::start(broker().await.to_string()).await.unwrap();
    let (_client, eventloop) = client("cut", proxy.address());
    let check = MqttCheck::new();
    let driver = drive(eventloop, check.recorder());
    assert_passes(&run_until(&check, |outcome| outcome.status()).await);

    proxy.cut().await;
    let outcome = run_until(&check, |outcome| !outcome.status()).await;
    assert_fails(&outcome);
    assert_eq!(outcome.data()["state"], "disconnected");
    driver.abort();
}

#[tokio::test]
async fn never_shows_the_password() {
    let address: SocketAddr = format!("127.0.0.1:{}", dead_port().await).parse().unwrap();
    let id = format!("heartbeat-test-secret-{}", std::process::id());
    let mut options = MqttOptions::new(id, address.ip().to_string(), address.port());
    options.set_credentials("user", PASSWORD);
    let (_client, eventloop) = AsyncClient::new(options, 10);
    let check = MqttCheck::new();
    let driver = drive(eventloop, check.recorder());

    let outcome = run_until(&check, |outcome| outcome.data().contains_key("last_error")).await;
    assert_fails(&outcome);
    assert!(outcome.data().contains_key("last_error"));
    assert_no_secret(&outcome);
    driver.abort();
}

#[tokio::test]
async fn fails_when_no_recorder_is_left() {
    let check = MqttCheck::new();
    let recorder = check.recorder();
    recorder.record(&Ok(connack()));
    assert_passes(&run(&check).await);

    drop(recorder);
    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert!(outcome.message().unwrap().contains("no MqttRecorder"));
}

#[tokio::test]
async fn fails_after_the_application_disconnects() {
    let check = MqttCheck::new();
    let recorder = check.recorder();
    recorder.record(&Ok(connack()));
    recorder.record(&Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_eq!(
        outcome.message(),
        Some("disconnected: the application disconnected")
    );
}

#[tokio::test]
async fn fails_when_the_event_loop_falls_silent() {
    let check = MqttCheck::new().max_silence(Duration::ZERO);
    let recorder = check.recorder();
    recorder.record(&Ok(connack()));

    assert_fails(&run(&check).await);
}
