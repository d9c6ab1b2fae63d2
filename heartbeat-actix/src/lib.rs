//! Kubernetes-grade health endpoints for [actix-web](actix_web) services.
//!
//! [`config`] serves a [`Heartbeat`] from an actix-web [`App`]: every
//! request under the heartbeat's prefix (`/.well-known/heartbeat` by
//! default) is answered by the heartbeat, with any method, including paths
//! that name no endpoint (a JSON 404).
//!
//! ```rust,standalone_crate,no_run
//! use actix_web::{App, HttpServer, web};
//! use heartbeat_actix::{Heartbeat, Outcome, probe};
//!
//! #[probe(readiness)]
//! async fn database() -> Outcome {
//!     Outcome::pass()
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let heartbeat = Heartbeat::builder().build()?;
//!     HttpServer::new(move || {
//!         App::new()
//!             .route("/", web::get().to(|| async { "hello" }))
//!             .configure(heartbeat_actix::config(heartbeat.clone()))
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! This crate re-exports `heartbeat-core`, so an application needs no other
//! heartbeat dependency, and `#[probe]` finds its way through this crate.
//!
//! # Where to register it
//!
//! Register it on the [`App`], not inside another scope: the heartbeat
//! matches the whole request path against its prefix. To serve it under
//! another path, give that path to [`HeartbeatBuilder::prefix`]. Served at
//! the root (prefix `/`), it answers every path, so register it after the
//! application's own services.
//!
//! [`App`]: actix_web::App

use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use actix_web::{
    HttpRequest, HttpResponse,
    body::{BodySize, BoxBody, MessageBody},
    http::{self as actix_http, header as actix_header},
    web::{self, Bytes, ServiceConfig},
};

#[doc(no_inline)]
pub use heartbeat_core::*;

#[doc(hidden)]
pub use heartbeat_core::__private;

/// Registers a scope answering every request under the heartbeat's prefix,
/// for [`App::configure`](actix_web::App::configure).
pub fn config(heartbeat: Heartbeat) -> impl FnOnce(&mut ServiceConfig) {
    move |config| {
        let prefix = heartbeat.prefix().to_owned();
        let answer = move |request: HttpRequest| {
            let heartbeat = heartbeat.clone();
            async move { answer(&heartbeat, &request).await }
        };
        config.service(web::scope(&prefix).default_service(web::to(answer)));
    }
}

async fn answer(heartbeat: &Heartbeat, request: &HttpRequest) -> HttpResponse {
    // actix-web matches scopes against the decoded path; a path that is the
    // heartbeat's only once decoded is left to the application, as the
    // other frameworks leave it.
    if !heartbeat.serves(request.uri().path()) {
        return HttpResponse::NotFound().finish();
    }

    let headers = request_headers(request);
    let method = request.method().as_str();
    let uri = request.uri();
    let request = Request::new(method, uri.path())
        .query(uri.query())
        .headers(&headers);

    let response = heartbeat.handle(&request).await;
    into_actix(response, method == "HEAD")
}

// actix-web speaks `http` 0.2, and the heartbeat `http` 1: headers and status
// cross over as bytes and numbers.

fn request_headers(request: &HttpRequest) -> http::HeaderMap {
    let mut headers = http::HeaderMap::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_ref()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

fn into_actix(response: Response, head: bool) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let status = actix_http::StatusCode::from_u16(parts.status.as_u16())
        .unwrap_or(actix_http::StatusCode::INTERNAL_SERVER_ERROR);
    let body = match content_length(&parts.headers) {
        Some(length) if head => BoxBody::new(Headless(length)),
        _ => BoxBody::new(body),
    };

    let mut answer = HttpResponse::with_body(status, body);
    for (name, value) in &parts.headers {
        if let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_ref()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            answer.headers_mut().append(name, value);
        }
    }
    answer
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The body of an answer to HEAD. actix-web writes `Content-Length` from the
/// body's size rather than from the headers, and sends no body to HEAD; so
/// this body has no bytes but the size the heartbeat's header gives.
struct Headless(u64);

impl MessageBody for Headless {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.0)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, http::StatusCode, test};

    use super::*;

    fn heartbeat() -> Heartbeat {
        Heartbeat::builder()
            .without_declared()
            .readiness("always", check_fn(|| async { Outcome::pass() }))
            .build()
            .unwrap()
    }

    #[actix_web::test]
    async fn every_path_and_method_under_the_prefix_reaches_the_heartbeat() {
        let app = test::init_service(
            App::new()
                .route("/", web::get().to(|| async { "hello" }))
                .configure(config(heartbeat())),
        )
        .await;

        let request = test::TestRequest::get()
            .uri("/.well-known/heartbeat/readiness")
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert!(body.starts_with(br#"{"status":true,"checks":{"always":{"status":true,"#));

        let request = test::TestRequest::get()
            .uri("/.well-known/heartbeat/nothing/here")
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(test::read_body(response).await.starts_with(br#"{"error":"#));

        let request = test::TestRequest::patch()
            .uri("/.well-known/heartbeat/environ")
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            response.headers().get(actix_header::ALLOW).unwrap(),
            "GET, HEAD"
        );

        let request = test::TestRequest::get().uri("/").to_request();
        assert_eq!(test::call_and_read_body(&app, request).await, "hello");
    }

    #[actix_web::test]
    async fn head_keeps_the_length_of_the_body_it_leaves_out() {
        let app = test::init_service(App::new().configure(config(heartbeat()))).await;

        let request = test::TestRequest::get()
            .uri("/.well-known/heartbeat/environ")
            .to_request();
        let length = test::call_and_read_body(&app, request).await.len();

        let request = test::TestRequest::default()
            .method(actix_http::Method::HEAD)
            .uri("/.well-known/heartbeat/environ")
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.response().body().size(),
            BodySize::Sized(length as u64)
        );
    }
}
