//! The framework-independent entry point: routing, methods, status codes,
//! headers and bodies, as the wire contract gives them.

use std::future;
use std::time::Duration;

use crate::support::{
    PREFIX, accepting, assert_json_headers, body, get, json, send, with_checks, without_durations,
};
use heartbeat_core::{Heartbeat, Outcome, Probe, Registration, Request, Response, check_fn};
use http::{StatusCode, header};

fn heartbeat() -> Heartbeat {
    with_checks("connection refused")
        .environ(
            "build",
            check_fn(|| async { Outcome::pass().with("commit", "abc123") }),
        )
        .build()
        .unwrap()
}

/// Asserts that two answers have the same status and, durations aside, the
/// same body.
fn assert_same(answer: &Response, expected: &Response) {
    assert_eq!(answer.status(), expected.status());
    assert_eq!(without_durations(answer), without_durations(expected));
}

#[tokio::test]
async fn with_nothing_registered_probes_answer_200_and_an_empty_list() {
    let heartbeat = crate::support::builder().build().unwrap();
    for probe in ["readiness", "liveliness", "liveness", "startup"] {
        let response = get(&heartbeat, probe).await;
        assert_eq!(response.status(), StatusCode::OK, "{probe}");
        assert_eq!(body(&response), r#"{"status":true,"checks":{}}"#, "{probe}");
        assert_json_headers(&response);
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "27");
    }
}

#[tokio::test]
async fn a_failing_check_makes_the_probe_answer_500_with_every_entry() {
    let response = get(&heartbeat(), "readiness").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_json_headers(&response);
    assert_eq!(
        without_durations(&response),
        r#"{"status":false,"checks":{"cache":{"status":true,"duration_ms":0,"latency_ms":0.5},"database":{"status":false,"duration_ms":0,"message":"connection refused"}}}"#
    );
}

#[tokio::test]
async fn a_passing_probe_answers_200() {
    let response = get(&heartbeat(), "liveness").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        without_durations(&response),
        r#"{"status":true,"checks":{"loop":{"status":true,"duration_ms":0}}}"#
    );
}

#[tokio::test]
async fn both_spellings_of_liveness_answer_the_same() {
    let heartbeat = heartbeat();
    let original = get(&heartbeat, "liveliness").await;
    let kubernetes = get(&heartbeat, "liveness").await;
    assert_same(&original, &kubernetes);
}

#[tokio::test]
async fn environ_answers_200_whatever_its_status() {
    let heartbeat = crate::support::builder()
        .environ(
            "broken",
            check_fn(|| async { Outcome::fail("no data").with("status", true) }),
        )
        .build()
        .unwrap();
    let response = get(&heartbeat, "environ").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json_headers(&response);
    let value = json(&response);
    assert_eq!(value["status"], false);
    assert!(body(&response).starts_with(r#"{"status":false"#));
}

#[tokio::test]
async fn head_answers_the_same_status_and_headers_without_a_body() {
    let heartbeat = heartbeat();
    for path in ["readiness", "liveness", "environ", "no-such-probe"] {
        let get = get(&heartbeat, path).await;
        let head = heartbeat
            .handle(&Request::new("HEAD", &format!("{PREFIX}/{path}")))
            .await;
        assert_eq!(head.status(), get.status(), "{path}");
        assert!(head.body().is_empty(), "{path}");
        assert_eq!(head.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(head.headers()[header::CACHE_CONTROL], "no-store");
        // The length of the body a GET would have had (durations can
        // change its length by a digit or two between runs).
        let length: usize = head.headers()[header::CONTENT_LENGTH]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(length.abs_diff(get.body().len()) <= 4, "{path}: {length}");
    }
}

#[tokio::test]
async fn other_methods_answer_405_with_allow() {
    let heartbeat = heartbeat();
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "get", "BREW",
    ] {
        for endpoint in ["readiness", "liveliness", "environ"] {
            let response = heartbeat
                .handle(&Request::new(method, &format!("{PREFIX}/{endpoint}")))
                .await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method}"
            );
            assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
            assert_json_headers(&response);
            assert_eq!(
                body(&response),
                r#"{"error":"method not allowed","allow":"GET, HEAD"}"#
            );
        }
    }
}

#[tokio::test]
async fn a_trailing_slash_is_ignored() {
    let heartbeat = heartbeat();
    let plain = get(&heartbeat, "readiness").await;
    let slashed = get(&heartbeat, "readiness/").await;
    assert_same(&slashed, &plain);
}

#[tokio::test]
async fn unknown_paths_answer_404_listing_the_endpoints() {
    let heartbeat = heartbeat();
    for path in [
        PREFIX.to_owned(),
        format!("{PREFIX}/"),
        format!("{PREFIX}/ready"),
        format!("{PREFIX}/readiness/database/extra"),
        format!("{PREFIX}/environ/build"),
        format!("{PREFIX}/metrics"),
        format!("{PREFIX}//readiness"),
        format!("{PREFIX}/READINESS"),
        format!("{PREFIX}readiness"),
        "/readiness".to_owned(),
        String::new(),
    ] {
        let response = heartbeat.handle(&Request::new("GET", &path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path:?}");
        assert_json_headers(&response);
        assert_eq!(
            body(&response),
            r#"{"error":"no heartbeat endpoint at this path","endpoints":["/.well-known/heartbeat/readiness","/.well-known/heartbeat/liveliness","/.well-known/heartbeat/liveness","/.well-known/heartbeat/startup","/.well-known/heartbeat/environ"]}"#,
            "{path:?}"
        );
    }
}

#[tokio::test]
async fn the_prefix_can_be_changed() {
    let heartbeat = crate::support::builder()
        .prefix("/internal/health/")
        .build()
        .unwrap();
    assert_eq!(heartbeat.prefix(), "/internal/health");
    let moved = Request::new("GET", "/internal/health/readiness");
    assert_eq!(heartbeat.handle(&moved).await.status(), 200);
    assert_eq!(get(&heartbeat, "readiness").await.status(), 404);

    assert!(heartbeat.serves("/internal/health"));
    assert!(heartbeat.serves("/internal/health/anything"));
    assert!(!heartbeat.serves("/internal/healthz"));
    assert!(!heartbeat.serves("/readiness"));

    let root = crate::support::builder().prefix("/").build().unwrap();
    let at_root = Request::new("GET", "/readiness");
    assert_eq!(root.handle(&at_root).await.status(), 200);
    assert!(root.serves("/readiness") && root.serves("/"));
}

#[tokio::test]
async fn the_query_and_headers_do_not_change_the_answer() {
    let heartbeat = heartbeat();
    let plain = get(&heartbeat, "readiness").await;
    let long_query = "x=".to_owned() + &"y".repeat(8192);
    let answered = send(
        &heartbeat,
        "GET",
        &format!("readiness?{long_query}"),
        &accepting(&["text/html;q=0.9, garbage"]),
    )
    .await;
    assert_same(&answered, &plain);
}

#[tokio::test(start_paused = true)]
async fn a_hung_check_still_gets_a_json_answer() {
    let heartbeat = crate::support::builder()
        .register(
            Registration::new("hung", check_fn(future::pending::<Outcome>))
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let response = get(&heartbeat, "readiness").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        without_durations(&response),
        r#"{"status":false,"checks":{"hung":{"status":false,"duration_ms":0,"message":"timed out after 50ms"}}}"#
    );
}
