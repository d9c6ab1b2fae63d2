//! A client of the servers over real HTTP, reading whole answers.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{StatusCode, response::Parts};
use http_body_util::{BodyExt, Empty};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde_json::Value;

/// An HTTP/1 client sending requests without a body, as a prober does.
#[derive(Clone)]
pub struct HttpClient(Client<HttpConnector, Empty<Bytes>>);

impl HttpClient {
    /// A client that keeps idle connections to reuse them.
    pub fn new() -> Self {
        Self(Client::builder(TokioExecutor::new()).build_http())
    }

    /// A client that keeps no idle connection, so that none holds a server
    /// up once it is told to stop.
    pub fn without_idle_connections() -> Self {
        Self(
            Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(0)
                .build_http(),
        )
    }

    /// Sends `request`; the answer's head and its whole body.
    pub async fn send(&self, request: http::Request<Empty<Bytes>>) -> (Parts, Bytes) {
        let asked = format!("{} {}", request.method(), request.uri());
        let response = self
            .0
            .request(request)
            .await
            .unwrap_or_else(|error| panic!("{asked}: {error}"));
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("a whole body").to_bytes();
        (parts, body)
    }

    /// GETs `target`, a path below `/.well-known/heartbeat/` and any query,
    /// from the server at `address`; the status and the body, which must be
    /// JSON.
    pub async fn get_json(&self, address: SocketAddr, target: &str) -> (StatusCode, Value) {
        let uri = format!("http://{address}/.well-known/heartbeat/{target}");
        let request = http::Request::get(&uri)
            .body(Empty::new())
            .expect("a valid request");
        let (parts, body) = self.send(request).await;
        let body = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("{uri} answered non-JSON: {body:?}"));
        (parts.status, body)
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}
