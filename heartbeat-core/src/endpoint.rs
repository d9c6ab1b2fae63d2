//! Answering HTTP requests, independent of any web framework.
//!
//! An adapter hands [`Heartbeat::handle`] the parts of a request it needs and
//! turns the answer into its framework's response; everything else happens
//! here, so that every framework answers byte for byte the same way.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::Value;

use crate::{Heartbeat, access::Access, metrics, probe::Probe, render};

/// The methods the endpoints answer, as the `Allow` header lists them.
pub const ALLOWED_METHODS: &str = "GET, HEAD";

/// What the heartbeat needs of a request.
///
/// ```
/// use heartbeat_core::Request;
///
/// let request = Request::new("GET", "/.well-known/heartbeat/readiness").query(Some("verbose"));
/// # let _ = request;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: Option<&'a HeaderMap>,
}

impl<'a> Request<'a> {
    /// A request with this method (such as `"GET"`) for this path (the whole
    /// path, prefix included, without the query).
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Self {
            method,
            path,
            query: None,
            headers: None,
        }
    }

    /// The query string, without the `?`.
    pub fn query(mut self, query: Option<&'a str>) -> Self {
        self.query = query;
        self
    }

    /// The request's headers.
    pub fn headers(mut self, headers: &'a HeaderMap) -> Self {
        self.headers = Some(headers);
        self
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The path.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query string, if any.
    pub fn query_str(&self) -> Option<&'a str> {
        self.query
    }

    /// The headers, if the adapter gave them.
    pub fn header_map(&self) -> Option<&'a HeaderMap> {
        self.headers
    }
}

/// The answer to a request: status, headers and body. Adapters copy it into
/// their framework's response as it is.
pub type Response = http::Response<Bytes>;

impl Heartbeat {
    /// Answers a request for one of the endpoints.
    ///
    /// - `GET` on `readiness`, `liveliness`/`liveness` or `startup`: 200 when
    ///   every check passes, 500 otherwise, with the probe's body in the
    ///   format the `Accept` header asks for ([`Format`](crate::Format);
    ///   JSON unless it asks for another) and `Vary: Accept`. The query may
    ///   leave checks out (`exclude=<name>`, repeatable) or ask for the text
    ///   format's lines on success (`verbose`).
    /// - `GET` on `<probe>/<check>`, such as `readiness/database`: the same
    ///   for that check alone; 404 listing the probe's checks when it has
    ///   no check of that name.
    /// - `GET` on `environ`: 200 with the environ page, always JSON.
    /// - `GET` on `metrics`, when
    ///   [`HeartbeatBuilder::metrics`](crate::HeartbeatBuilder::metrics)
    ///   turns it on: 200 with [`Heartbeat::metrics`].
    /// - `HEAD`: the same status and headers, with no body; `Content-Length`
    ///   is the length of the body a `GET` would have carried, and an
    ///   adapter must send it as it is rather than the empty body's.
    /// - Any other method on an endpoint: 405 with `Allow: GET, HEAD`.
    /// - Any other path: 404 listing the endpoints.
    ///
    /// [`HeartbeatBuilder::access`](crate::HeartbeatBuilder::access) may turn
    /// an endpoint off (404, and it leaves the list) or keep it for
    /// authorized requests (403 for the others, after the method is
    /// checked). [`HeartbeatBuilder::details`](crate::HeartbeatBuilder::details)
    /// may withhold messages and data; it never changes the status code.
    ///
    /// A trailing slash after an endpoint's name is ignored. Every answer
    /// carries `Cache-Control: no-store`; every answer but a probe's in
    /// another format and the metrics is JSON. This never panics, and a
    /// check's panic or hang does not reach it.
    ///
    /// ```
    /// use heartbeat_core::{Heartbeat, Request};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let heartbeat = Heartbeat::builder().without_declared().build().unwrap();
    /// let response = heartbeat
    ///     .handle(&Request::new("GET", "/.well-known/heartbeat/readiness"))
    ///     .await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.body().as_ref(), br#"{"status":true,"checks":{}}"#);
    /// # });
    /// ```
    pub async fn handle(&self, request: &Request<'_>) -> Response {
        let head = request.method == "HEAD";
        let Some(target) = self.route(request.path) else {
            return self.not_found(head);
        };
        let (probe, check) = match target {
            Target::Probe(probe, check) => (probe, check),
            Target::Metrics if !head && request.method != "GET" => return method_not_allowed(),
            Target::Metrics => {
                let body = self.metrics().into_bytes();
                return respond(StatusCode::OK, metrics::CONTENT_TYPE, body, head);
            }
        };
        let access = self.access(probe);
        if matches!(access, Access::Disabled) {
            return self.not_found(head);
        }
        if !head && request.method != "GET" {
            return method_not_allowed();
        }
        if let Access::Authorized(rule) = access {
            if !rule.allows(request) {
                return forbidden(head);
            }
        }

        let shows_all = self.details(probe).shows_all(request);
        let (status, body) = match probe {
            Probe::Environ if shows_all => {
                let (status, merged) = self.environ().await;
                (StatusCode::OK, render::environ_body(status, &merged))
            }
            Probe::Environ => {
                let report = self.report(probe).await;
                self.withheld().log(&report);
                let body = render::environ_body(report.status(), &Default::default());
                (StatusCode::OK, body)
            }
            probe => {
                return self
                    .answer_probe(request, probe, check, shows_all, head)
                    .await;
            }
        };
        json(status, body, head)
    }

    /// Whether a request for `path` is the heartbeat's to answer: the prefix
    /// itself or anything below it. An adapter whose framework cannot route
    /// by prefix asks this, and leaves other paths to the application.
    ///
    /// ```
    /// use heartbeat_core::Heartbeat;
    ///
    /// let heartbeat = Heartbeat::builder().without_declared().prefix("/health").build().unwrap();
    /// assert!(heartbeat.serves("/health/readiness"));
    /// assert!(heartbeat.serves("/health"));
    /// assert!(!heartbeat.serves("/healthz"));
    /// ```
    pub fn serves(&self, path: &str) -> bool {
        path.strip_prefix(self.prefix())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }

    /// The endpoint a path names, if any.
    fn route<'p>(&self, path: &'p str) -> Option<Target<'p>> {
        let rest = path.strip_prefix(self.prefix())?.strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest == "metrics" {
            return self.serves_metrics().then_some(Target::Metrics);
        }
        let (segment, check) = match rest.split_once('/') {
            Some((segment, check)) => (segment, Some(check)),
            None => (rest, None),
        };
        let probe = Probe::from_segment(segment)?;
        match check {
            None => Some(Target::Probe(probe, None)),
            Some(check) if probe != Probe::Environ && !check.is_empty() && !check.contains('/') => {
                Some(Target::Probe(probe, Some(check)))
            }
            Some(_) => None,
        }
    }

    fn not_found(&self, head: bool) -> Response {
        let endpoints = ["readiness", "liveliness", "liveness", "startup", "environ"]
            .iter()
            .filter(|segment| {
                Probe::from_segment(segment)
                    .is_some_and(|probe| !matches!(self.access(probe), Access::Disabled))
            })
            .chain(self.serves_metrics().then_some(&"metrics"))
            .map(|segment| Value::from(format!("{}/{segment}", self.prefix())))
            .collect::<Vec<_>>();
        let body = render::object(&[
            ("error", Value::from("no heartbeat endpoint at this path")),
            ("endpoints", Value::from(endpoints)),
        ]);
        json(StatusCode::NOT_FOUND, body, head)
    }
}

/// 403: the endpoint exists, and this request may not see it.
fn forbidden(head: bool) -> Response {
    let body = render::object(&[(
        "error",
        Value::from("this request is not authorized to see this endpoint"),
    )]);
    json(StatusCode::FORBIDDEN, body, head)
}

fn method_not_allowed() -> Response {
    let body = render::object(&[
        ("error", Value::from("method not allowed")),
        ("allow", Value::from(ALLOWED_METHODS)),
    ]);
    let mut response = json(StatusCode::METHOD_NOT_ALLOWED, body, false);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(ALLOWED_METHODS));
    response
}

/// What a path under the prefix names.
enum Target<'p> {
    /// A probe's endpoint, or one of its checks, as the path writes it.
    Probe(Probe, Option<&'p str>),
    /// The metrics.
    Metrics,
}

/// A JSON answer with this body, or with none but its length for `HEAD`.
pub(crate) fn json(status: StatusCode, body: Vec<u8>, head: bool) -> Response {
    respond(status, "application/json", body, head)
}

/// An answer with this body, or with none but its length for `HEAD`.
pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    head: bool,
) -> Response {
    let length = body.len();
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from(body)
    };

    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}
