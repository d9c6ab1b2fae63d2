//! Kubernetes-grade health endpoints for [axum] services.
//!
//! [`router`] serves a [`Heartbeat`] as an axum [`Router`]: merge it into the
//! application's router, and every request under the heartbeat's prefix
//! (`/.well-known/heartbeat` by default) is answered by the heartbeat, with
//! any method, including paths that name no endpoint (a JSON 404).
//!
//! ```rust,standalone_crate,no_run
//! use axum::{Router, routing::get};
//! use heartbeat_axum::{Heartbeat, Outcome, probe};
//!
//! #[probe(readiness)]
//! async fn database() -> Outcome {
//!     Outcome::pass()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let heartbeat = Heartbeat::builder().build()?;
//! let app = Router::new()
//!     .route("/", get(|| async { "hello" }))
//!     .merge(heartbeat_axum::router(heartbeat));
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```
//!
//! This crate re-exports `heartbeat-core`, so an application needs no other
//! heartbeat dependency, and `#[probe]` finds its way through this crate.
//!
//! # Nesting
//!
//! The heartbeat sees the path as the router it is in sees it. Nested with
//! [`Router::nest`], it answers under the nesting path followed by its
//! prefix, and the endpoints listed in its 404 answers leave the nesting
//! path out.

use axum::{Router, body::Body, extract, response, routing::any};

#[doc(no_inline)]
pub use heartbeat_core::*;

#[doc(hidden)]
pub use heartbeat_core::__private;

/// A router answering every request under the heartbeat's prefix, ready to
/// be merged into the application's router.
pub fn router<S>(heartbeat: Heartbeat) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    // The router's path syntax gives braces a meaning; a prefix's own braces
    // are escaped by doubling them.
    let prefix = heartbeat.prefix().replace('{', "{{").replace('}', "}}");

    // The catch-all needs a segment after the slash, so the prefix itself and
    // the prefix with a slash are routes of their own; at the root, they are
    // left to the application.
    let mut router = Router::new().route(&format!("{prefix}/{{*path}}"), any(answer));
    if !prefix.is_empty() {
        router = router
            .route(&prefix, any(answer))
            .route(&format!("{prefix}/"), any(answer));
    }
    router.with_state(heartbeat)
}

async fn answer(
    extract::State(heartbeat): extract::State<Heartbeat>,
    request: extract::Request,
) -> response::Response {
    let uri = request.uri();
    let request = heartbeat_core::Request::new(request.method().as_str(), uri.path())
        .query(uri.query())
        .headers(request.headers());

    heartbeat.handle(&request).await.map(Body::from)
}

#[cfg(test)]
mod tests {
    use axum::http::{self, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    fn app() -> Router {
        let heartbeat = Heartbeat::builder()
            .without_declared()
            .readiness("always", check_fn(|| async { Outcome::pass() }))
            .build()
            .unwrap();
        Router::new()
            .route("/", axum::routing::get(|| async { "hello" }))
            .merge(router(heartbeat))
    }

    async fn send(method: &str, uri: &str) -> (StatusCode, Vec<u8>) {
        let request = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, body.to_vec())
    }

    #[tokio::test]
    async fn readiness_answers_with_the_checks() {
        let (status, body) = send("GET", "/.well-known/heartbeat/readiness").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with(br#"{"status":true,"checks":{"always":{"status":true,"#));
    }

    #[tokio::test]
    async fn every_path_and_method_under_the_prefix_reaches_the_heartbeat() {
        for uri in [
            "/.well-known/heartbeat",
            "/.well-known/heartbeat/",
            "/.well-known/heartbeat/nothing/here",
        ] {
            let (status, body) = send("GET", uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert!(body.starts_with(br#"{"error":"#), "{uri}");
        }

        let request = http::Request::builder()
            .method("DELETE")
            .uri("/.well-known/heartbeat/liveness")
            .body(Body::empty())
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
    }

    #[tokio::test]
    async fn the_application_keeps_its_routes() {
        assert_eq!(send("GET", "/").await, (StatusCode::OK, b"hello".to_vec()));
        assert_eq!(send("GET", "/elsewhere").await.0, StatusCode::NOT_FOUND);
    }
}
