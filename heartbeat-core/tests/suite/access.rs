//! Who may see what, through `Heartbeat::handle` with real headers: an
//! endpoint turned off or kept for authorized requests, and details withheld
//! from requests that may not see them.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use crate::support::{body, events_while, get, json, send, switched, with_checks};
use heartbeat_core::{
    Access, Authorize, Details, HeartbeatBuilder, Outcome, Probe, Request, check_fn,
};
use http::{HeaderMap, HeaderValue, StatusCode, header};

const TOKEN: &str = "correct-horse-battery-staple";

/// The usual checks, whose failure names a password, and an environ
/// contribution.
fn checks() -> HeartbeatBuilder {
    with_checks("password authentication failed for user admin").environ(
        "deploy",
        check_fn(|| async { Outcome::pass().with("region", "eu-west-1") }),
    )
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(header::AUTHORIZATION, value);
    headers
}

#[tokio::test]
async fn a_disabled_environ_answers_as_an_unknown_path() {
    let heartbeat = checks()
        .access(Probe::Environ, Access::Disabled)
        .build()
        .unwrap();
    let none = HeaderMap::new();

    let environ = send(&heartbeat, "GET", "environ", &none).await;
    let unknown = send(&heartbeat, "GET", "no-such-endpoint", &none).await;
    assert_eq!(environ.status(), StatusCode::NOT_FOUND);
    assert_eq!(environ.body(), unknown.body());
    assert_eq!(
        json(&environ)["endpoints"],
        serde_json::json!([
            "/.well-known/heartbeat/readiness",
            "/.well-known/heartbeat/liveliness",
            "/.well-known/heartbeat/liveness",
            "/.well-known/heartbeat/startup",
        ])
    );
    assert!(!body(&environ).contains("eu-west-1"));

    // Not even the method gives it away, nor a valid token.
    for method in ["HEAD", "POST"] {
        let response = send(&heartbeat, method, "environ", &none).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
    }
    let with_token = send(&heartbeat, "GET", "environ", &bearer(TOKEN)).await;
    assert_eq!(with_token.status(), StatusCode::NOT_FOUND);

    let readiness = send(&heartbeat, "GET", "readiness", &none).await;
    assert_eq!(readiness.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_guarded_environ_needs_the_right_token() {
    let heartbeat = checks()
        .access(Probe::Environ, Access::Authorized(Authorize::bearer(TOKEN)))
        .build()
        .unwrap();

    for headers in [HeaderMap::new(), bearer("wrong-token"), bearer("")] {
        let response = send(&heartbeat, "GET", "environ", &headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            body(&response),
            r#"{"error":"this request is not authorized to see this endpoint"}"#
        );
    }

    let mut basic = HeaderMap::new();
    basic.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Basic {TOKEN}")).unwrap(),
    );
    let response = send(&heartbeat, "GET", "environ", &basic).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let allowed = send(&heartbeat, "GET", "environ", &bearer(TOKEN)).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    let page = json(&allowed);
    assert_eq!(page["region"], "eu-west-1");
    assert!(page["libraries"].is_object());
}

#[tokio::test]
async fn a_guarded_endpoint_checks_the_method_first_and_head_stays_bodiless() {
    let heartbeat = checks()
        .access(Probe::Environ, Access::Authorized(Authorize::bearer(TOKEN)))
        .build()
        .unwrap();
    let none = HeaderMap::new();

    let post = send(&heartbeat, "POST", "environ", &none).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);

    let head = send(&heartbeat, "HEAD", "environ", &none).await;
    assert_eq!(head.status(), StatusCode::FORBIDDEN);
    assert!(head.body().is_empty());

    let listed = send(&heartbeat, "GET", "nowhere", &none).await;
    assert!(body(&listed).contains("/.well-known/heartbeat/environ"));
}

#[tokio::test]
async fn any_rule_over_the_request_can_guard_an_endpoint() {
    let internal = Authorize::new(|request: &Request<'_>| {
        request
            .header_map()
            .and_then(|headers| headers.get("x-forwarded-for"))
            .is_some_and(|from| from.as_bytes().starts_with(b"10."))
    });
    let heartbeat = checks()
        .access(Probe::Readiness, Access::Authorized(internal))
        .build()
        .unwrap();

    let mut inside = HeaderMap::new();
    inside.insert("x-forwarded-for", HeaderValue::from_static("10.1.2.3"));
    let mut outside = HeaderMap::new();
    outside.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));

    let allowed = send(&heartbeat, "GET", "readiness", &inside).await;
    assert_eq!(allowed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let refused = send(&heartbeat, "GET", "readiness", &outside).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let without_headers = get(&heartbeat, "readiness").await;
    assert_eq!(without_headers.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn status_only_keeps_every_status_and_withholds_the_rest() {
    let heartbeat = checks()
        .details(Probe::Readiness, Details::StatusOnly)
        .build()
        .unwrap();

    let response = send(&heartbeat, "GET", "readiness", &bearer(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body(&response),
        concat!(
            r#"{"status":false,"checks":{"cache":{"status":true},"#,
            r#""database":{"status":false,"message":"reason withheld"}}}"#
        )
    );

    let liveness = send(&heartbeat, "GET", "liveness", &HeaderMap::new()).await;
    assert!(
        body(&liveness).contains("duration_ms"),
        "other probes are full"
    );
}

#[tokio::test]
async fn authorized_details_show_everything_to_the_token_holder_only() {
    let heartbeat = checks()
        .details(
            Probe::Readiness,
            Details::Authorized(Authorize::bearer(TOKEN)),
        )
        .build()
        .unwrap();

    let full = send(&heartbeat, "GET", "readiness", &bearer(TOKEN)).await;
    assert_eq!(full.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let full = json(&full);
    assert_eq!(
        full["checks"]["database"]["message"],
        "password authentication failed for user admin"
    );
    assert_eq!(full["checks"]["cache"]["latency_ms"], 0.5);
    assert!(full["checks"]["cache"]["duration_ms"].is_number());

    for headers in [HeaderMap::new(), bearer("wrong-token")] {
        let withheld = send(&heartbeat, "GET", "readiness", &headers).await;
        assert_eq!(withheld.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let text = body(&withheld);
        assert!(!text.contains("password"), "{text}");
        assert!(!text.contains("duration_ms"), "{text}");
        assert!(!text.contains("latency_ms"), "{text}");
        assert_eq!(
            json(&withheld)["checks"]["database"]["message"],
            "reason withheld"
        );
    }
}

#[tokio::test]
async fn status_only_environ_shows_its_status_alone() {
    let heartbeat = checks()
        .environ("broken", check_fn(|| async { Outcome::fail("no data") }))
        .details(Probe::Environ, Details::StatusOnly)
        .build()
        .unwrap();
    let response = send(&heartbeat, "GET", "environ", &HeaderMap::new()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(&response), r#"{"status":false}"#);
}

#[test]
fn a_withheld_reason_is_logged_once_until_it_changes_and_only_when_withheld() {
    let up = Arc::new(AtomicBool::new(false));
    let heartbeat = crate::support::builder()
        .readiness("database", switched(&up, "connection refused"))
        .details(
            Probe::Readiness,
            Details::Authorized(Authorize::bearer(TOKEN)),
        )
        .build()
        .unwrap();

    let warnings = events_while(tracing::Level::WARN, async {
        // Who sees the reason needs no log of it.
        let full = send(&heartbeat, "GET", "readiness", &bearer(TOKEN)).await;
        assert!(body(&full).contains("connection refused"));

        let none = HeaderMap::new();
        for _ in 0..3 {
            let response = send(&heartbeat, "GET", "readiness", &none).await;
            assert!(body(&response).contains("reason withheld"));
        }
        up.store(true, Ordering::SeqCst);
        send(&heartbeat, "GET", "readiness", &none).await;
        up.store(false, Ordering::SeqCst);
        send(&heartbeat, "GET", "readiness", &none).await;
    });

    let logged: Vec<&str> = warnings
        .iter()
        .filter_map(|fields| fields.get("reason").map(String::as_str))
        .collect();
    assert_eq!(logged, ["connection refused", "connection refused"]);
}
