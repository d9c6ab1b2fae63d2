//! `HttpCheck` and `ElasticsearchCheck` against HTTP servers owned by the
//! tests.

#![cfg(feature = "http")]

use crate::support::{
    PASSWORD, assert_fails, assert_no_secret, assert_passes, dead_port, run, serve, shown,
};
use heartbeat_checks::{ElasticsearchCheck, HttpCheck, Named};
use reqwest::Url;

fn url(address: std::net::SocketAddr, path: &str) -> Url {
    format!("http://{address}{path}").parse().unwrap()
}

#[tokio::test]
async fn passes_on_a_2xx_answer() {
    let server = serve("/health", "200 OK", "{}").await;
    let check = HttpCheck::new(url(server, "/health"));

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["http_status"], 200);
    assert!(outcome.data().contains_key("latency_ms"));
    assert_eq!(check.default_name(), "127.0.0.1");
}

#[tokio::test]
async fn uses_the_applications_client() {
    let server = serve("/health", "204 No Content", "").await;
    let check = HttpCheck::new(url(server, "/health")).client(reqwest::Client::new());

    assert_passes(&run(&check).await);
}

#[tokio::test]
async fn fails_on_an_unexpected_status() {
    let server = serve("/health", "503 Service Unavailable", "").await;
    let check = HttpCheck::new(url(server, "/health"));

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_eq!(
        outcome.message(),
        Some("answered 503 Service Unavailable where 200..=299 was expected")
    );
    assert_eq!(outcome.data()["http_status"], 503);

    let lenient = HttpCheck::new(url(server, "/health")).expect_status(200..=599);
    assert_passes(&run(&lenient).await);
}

#[tokio::test]
async fn never_shows_the_password() {
    let port = dead_port().await;
    let url: Url = format!("http://user:{PASSWORD}@127.0.0.1:{port}/health?token={PASSWORD}")
        .parse()
        .unwrap();
    let check = HttpCheck::new(url);

    let outcome = run(&check).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
    assert!(
        outcome
            .message()
            .unwrap()
            .contains(&format!("http://127.0.0.1:{port}"))
    );
}

const GREEN: &str = r#"{"cluster_name":"search","status":"green","number_of_nodes":3,
    "number_of_data_nodes":3,"active_shards_percent_as_number":100.0,"unassigned_shards":0}"#;
const YELLOW: &str = r#"{"cluster_name":"search","status":"yellow","unassigned_shards":2}"#;
const RED: &str = r#"{"cluster_name":"search","status":"red","unassigned_shards":7}"#;

#[tokio::test]
async fn a_green_cluster_passes() {
    let server = serve("/_cluster/health", "200 OK", GREEN).await;
    let check = ElasticsearchCheck::new(url(server, ""));

    let outcome = run(&check).await;
    assert_passes(&outcome);
    assert_eq!(outcome.data()["cluster_status"], "green");
    assert_eq!(outcome.data()["cluster_name"], "search");
    assert_eq!(outcome.data()["number_of_nodes"], 3);
    assert_eq!(outcome.data()["active_shards_percent"], 100.0);
    assert_eq!(check.default_name(), "elasticsearch");
}

#[tokio::test]
async fn a_path_prefix_is_kept() {
    let server = serve("/es/_cluster/health", "200 OK", GREEN).await;

    assert_passes(&run(&ElasticsearchCheck::new(url(server, "/es"))).await);
    assert_passes(&run(&ElasticsearchCheck::new(url(server, "/es/"))).await);
}

#[tokio::test]
async fn a_yellow_cluster_passes_unless_told_otherwise() {
    let server = serve("/_cluster/health", "200 OK", YELLOW).await;

    assert_passes(&run(&ElasticsearchCheck::new(url(server, "/"))).await);
    let strict = ElasticsearchCheck::new(url(server, "/")).fail_on_yellow();
    assert_fails(&run(&strict).await);
}

#[tokio::test]
async fn a_red_cluster_fails() {
    let server = serve("/_cluster/health", "200 OK", RED).await;

    let outcome = run(&ElasticsearchCheck::new(url(server, "/"))).await;
    assert_fails(&outcome);
    assert_eq!(outcome.data()["unassigned_shards"], 7);
}

#[tokio::test]
async fn an_answer_that_is_not_health_fails() {
    let server = serve("/_cluster/health", "200 OK", "<html>").await;
    assert_fails(&run(&ElasticsearchCheck::new(url(server, "/"))).await);

    let server = serve("/_cluster/health", "401 Unauthorized", "").await;
    let outcome = run(&ElasticsearchCheck::new(url(server, "/"))).await;
    assert_fails(&outcome);
    assert_eq!(outcome.data()["http_status"], 401, "{}", shown(&outcome));
}

#[tokio::test]
async fn elasticsearch_never_shows_the_password() {
    let port = dead_port().await;
    let url: Url = format!("http://elastic:{PASSWORD}@127.0.0.1:{port}")
        .parse()
        .unwrap();

    let outcome = run(&ElasticsearchCheck::new(url)).await;
    assert_fails(&outcome);
    assert_no_secret(&outcome);
}
