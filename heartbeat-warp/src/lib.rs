//! Kubernetes-grade health endpoints for [warp] services.
//!
//! [`filter`] serves a [`Heartbeat`] as a warp [`Filter`]: it answers every
//! request under the heartbeat's prefix (`/.well-known/heartbeat` by
//! default), with any method, including paths that name no endpoint (a JSON
//! 404), and rejects every other request, so that it combines with the
//! application's filters through [`Filter::or`].
//!
//! ```rust,standalone_crate,no_run
//! use heartbeat_warp::{Heartbeat, Outcome, probe};
//! use warp::Filter;
//!
//! #[probe(readiness)]
//! async fn database() -> Outcome {
//!     Outcome::pass()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let heartbeat = Heartbeat::builder().build()?;
//! let hello = warp::path::end().map(|| "hello");
//! let routes = heartbeat_warp::filter(heartbeat).or(hello);
//!
//! warp::serve(routes).run(([127, 0, 0, 1], 8080)).await;
//! # Ok(())
//! # }
//! ```
//!
//! This crate re-exports `heartbeat-core`, so an application needs no other
//! heartbeat dependency, and `#[probe]` finds its way through this crate.
//!
//! # Where to put it
//!
//! Combine it with `or`, not behind path filters such as `warp::path("api")`:
//! the heartbeat matches the whole request path against its prefix. To serve
//! it under another path, give that path to [`HeartbeatBuilder::prefix`].

use warp::{
    Filter, Rejection,
    http::{HeaderMap, Method},
    path::FullPath,
};

#[doc(no_inline)]
pub use heartbeat_core::*;

#[doc(hidden)]
pub use heartbeat_core::__private;

/// A filter answering every request under the heartbeat's prefix and
/// rejecting, as not found, every other request.
pub fn filter(
    heartbeat: Heartbeat,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let router = heartbeat.clone();
    let under_prefix = move |path: FullPath| {
        let served = router.serves(path.as_str());
        async move { served.then_some(path).ok_or_else(warp::reject::not_found) }
    };
    let query = warp::query::raw()
        .map(Some)
        .or(warp::any().map(|| None))
        .unify();

    warp::path::full()
        .and_then(under_prefix)
        .and(warp::method())
        .and(query)
        .and(warp::header::headers_cloned())
        .then(
            move |path: FullPath, method: Method, query: Option<String>, headers: HeaderMap| {
                let heartbeat = heartbeat.clone();
                async move {
                    let request = Request::new(method.as_str(), path.as_str())
                        .query(query.as_deref())
                        .headers(&headers);
                    heartbeat.handle(&request).await
                }
            },
        )
}

#[cfg(test)]
mod tests {
    use warp::http::StatusCode;

    use super::*;

    fn routes() -> impl Filter<Extract = (impl warp::Reply,), Error = Rejection> + Clone {
        let heartbeat = Heartbeat::builder()
            .without_declared()
            .readiness("always", check_fn(|| async { Outcome::pass() }))
            .build()
            .unwrap();
        filter(heartbeat).or(warp::path::end().map(|| "hello"))
    }

    #[tokio::test]
    async fn every_path_and_method_under_the_prefix_reaches_the_heartbeat() {
        let response = warp::test::request()
            .path("/.well-known/heartbeat/readiness")
            .reply(&routes())
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .body()
                .starts_with(br#"{"status":true,"checks":{"always":{"status":true,"#)
        );

        let response = warp::test::request()
            .path("/.well-known/heartbeat")
            .reply(&routes())
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.body().starts_with(br#"{"error":"#));

        let response = warp::test::request()
            .method("OPTIONS")
            .path("/.well-known/heartbeat/liveliness")
            .reply(&routes())
            .await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn other_paths_are_left_to_the_application() {
        let response = warp::test::request().path("/").reply(&routes()).await;
        assert_eq!(response.body().as_ref(), b"hello");

        for path in ["/elsewhere", "/.well-known/heartbeats/readiness"] {
            let rejected = warp::test::request().path(path).filter(&routes()).await;
            assert!(
                rejected.is_err_and(|rejection| rejection.is_not_found()),
                "{path}"
            );
        }
    }
}
