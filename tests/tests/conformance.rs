//! Every adapter answers as the core does. Each case of one table is sent
//! over real HTTP to an axum, an actix-web and a warp server, each serving
//! the same heartbeat beside an application route; each answer's status, the
//! headers the wire contract names and the body, byte for byte, must equal
//! what `Heartbeat::handle` gives for that request.

use std::{future, net::SocketAddr, time::Duration};

use bytes::Bytes;
use heartbeat_core::{
    Access, Authorize, Details, Heartbeat, HeartbeatBuilder, Outcome, Probe, Registration, check_fn,
};
use heartbeat_tests::{HELLO, HttpClient, Servers};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use http_body_util::Empty;
use serde_json::Value;

/// The headers the wire contract names; the frameworks may add others.
const CONTRACT_HEADERS: [HeaderName; 5] = [
    header::CONTENT_TYPE,
    header::CACHE_CONTROL,
    header::ALLOW,
    header::CONTENT_LENGTH,
    header::VARY,
];

#[tokio::test]
async fn every_adapter_answers_as_the_core() {
    let client = HttpClient::new();
    let mut mismatches = Vec::new();

    for setup in Setup::ALL {
        let heartbeat = setup.heartbeat();
        let servers = Servers::start(&heartbeat).await;

        for case in cases().iter().filter(|case| case.setup == setup) {
            let expected = core_answer(&heartbeat, case).await;
            // Comparing every adapter with the core also compares them with
            // each other.
            for (adapter, address) in servers.addresses() {
                let actual = http_answer(&client, address, case).await;
                if let Err(why) = compare(&actual, &expected) {
                    mismatches.push(format!("{adapter}, {}: {why}", case.name));
                }
            }
        }

        servers.stop().await;
    }

    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn application_routes_outside_the_prefix_still_answer() {
    let client = HttpClient::new();

    for setup in [Setup::NoChecks, Setup::CustomPrefix] {
        let servers = Servers::start(&setup.heartbeat()).await;

        for (adapter, address) in servers.addresses() {
            let hello = http_answer(&client, address, &Case::get("hello", setup, "/")).await;
            assert_eq!(hello.status, StatusCode::OK, "{adapter}");
            assert_eq!(hello.body, HELLO, "{adapter}");

            // A percent-encoded letter makes another path, whatever a
            // framework decodes before routing.
            let mut outside = vec![
                "/elsewhere",
                "/.well-known/heartbeats/readiness",
                "/.well-known/heart%62eat/readiness",
            ];
            if setup == Setup::CustomPrefix {
                outside.push("/.well-known/heartbeat/readiness");
            }
            for path in outside {
                let answer = http_answer(&client, address, &Case::get(path, setup, path)).await;
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{adapter}, {path}");
                assert_ne!(
                    answer.headers.get(header::CONTENT_TYPE),
                    Some(&HeaderValue::from_static("application/json")),
                    "{adapter}, {path}: answered by the heartbeat, not the application"
                );
            }
        }

        servers.stop().await;
    }
}

#[tokio::test]
async fn access_policies_hold_over_http() {
    let client = HttpClient::new();
    let servers = Servers::start(&Setup::Guarded.heartbeat()).await;
    let ask = |path: &'static str, authorization: Option<&'static str>| {
        let mut case = Case::get(path, Setup::Guarded, path);
        case.authorization = authorization;
        case
    };
    let body = |answer: &Answer| String::from_utf8_lossy(&answer.body).into_owned();

    for (adapter, address) in servers.addresses() {
        let environ = "/.well-known/heartbeat/environ";
        for refused in [
            None,
            Some("Bearer not-the-token"),
            Some("Basic b3A6dG9rZW4="),
        ] {
            let answer = http_answer(&client, address, &ask(environ, refused)).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{adapter}, {refused:?}"
            );
            assert!(
                !body(&answer).contains("conformance"),
                "{adapter}: {}",
                body(&answer)
            );
        }
        let answer = http_answer(
            &client,
            address,
            &ask(environ, Some("Bearer operator-token")),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{adapter}");
        assert!(
            body(&answer).contains(r#""service":"conformance""#),
            "{adapter}"
        );

        let answer = http_answer(
            &client,
            address,
            &ask("/.well-known/heartbeat/readiness", None),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{adapter}"
        );
        assert!(
            body(&answer).contains(r#""failing":{"status":false,"message":"reason withheld"}"#),
            "{adapter}: {}",
            body(&answer)
        );
        assert!(!body(&answer).contains("connection refused"), "{adapter}");
        assert!(!body(&answer).contains("duration_ms"), "{adapter}");

        let liveness = "/.well-known/heartbeat/liveness";
        let withheld = http_answer(
            &client,
            address,
            &ask(liveness, Some("Bearer not-the-token")),
        )
        .await;
        assert!(
            !body(&withheld).contains("duration_ms"),
            "{adapter}: {}",
            body(&withheld)
        );
        let shown = http_answer(
            &client,
            address,
            &ask(liveness, Some("Bearer operator-token")),
        )
        .await;
        assert!(
            body(&shown).contains("duration_ms"),
            "{adapter}: {}",
            body(&shown)
        );
        assert_eq!(withheld.status, shown.status, "{adapter}");

        let answer = http_answer(
            &client,
            address,
            &ask("/.well-known/heartbeat/startup", None),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{adapter}");
        assert!(
            !body(&answer).contains("/startup"),
            "{adapter}: {}",
            body(&answer)
        );
    }
    servers.stop().await;
}

/// The heartbeats the cases run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    /// Nothing registered.
    NoChecks,
    /// Checks that pass, fail, run out of time and panic; environ
    /// contributions.
    Checks,
    /// The same checks, whose reports are kept: see [`normalize`]. It
    /// serves the metrics too, which stay the same while no check runs.
    KeptReports,
    /// A custom prefix.
    CustomPrefix,
    /// The same checks, environ kept for requests with the token, readiness
    /// showing only statuses, liveness details only with the token, and
    /// startup turned off.
    Guarded,
}

/// The bearer token of [`Setup::Guarded`].
const TOKEN: &str = "operator-token";

impl Setup {
    const ALL: [Setup; 5] = [
        Setup::NoChecks,
        Setup::Checks,
        Setup::KeptReports,
        Setup::CustomPrefix,
        Setup::Guarded,
    ];

    /// Built without the checks declared with `#[probe]` elsewhere in the
    /// test binary, so only these checks run.
    fn heartbeat(self) -> Heartbeat {
        let builder = Heartbeat::builder().without_declared();
        let builder = match self {
            Setup::NoChecks => builder,
            Setup::Checks => with_checks(builder),
            Setup::KeptReports => with_checks(builder)
                .cache(Probe::Readiness, Duration::from_secs(3600))
                .cache(Probe::Liveness, Duration::from_secs(3600))
                .metrics(true),
            Setup::CustomPrefix => builder
                .prefix("/ops/health/")
                .readiness("database", check_fn(|| async { true })),
            Setup::Guarded => with_checks(builder)
                .access(Probe::Environ, Access::Authorized(Authorize::bearer(TOKEN)))
                .access(Probe::Startup, Access::Disabled)
                .details(Probe::Readiness, Details::StatusOnly)
                .details(
                    Probe::Liveness,
                    Details::Authorized(Authorize::bearer(TOKEN)),
                ),
        };
        builder.build().expect("a valid configuration")
    }
}

fn with_checks(builder: HeartbeatBuilder) -> HeartbeatBuilder {
    builder
        .readiness(
            "passing",
            check_fn(|| async { Outcome::pass().with("latency_ms", 0.4) }),
        )
        .readiness(
            "failing",
            check_fn(|| async { Outcome::fail("connection refused") }),
        )
        .register(
            Registration::new("hanging", check_fn(hangs))
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(50)),
        )
        .readiness("panicking", check_fn(panics))
        .liveness("loop", check_fn(|| async { Outcome::pass() }))
        .startup("migrations", check_fn(|| async { true }))
        .environ_value("service", "conformance")
        .environ(
            "build",
            check_fn(|| async { Outcome::pass().with("commit", "abc123") }),
        )
        .environ(
            "region",
            check_fn(|| async {
                Outcome::from_status(false)
                    .with("region", "eu-west-1")
                    .with("status", true)
            }),
        )
}

async fn hangs() -> Outcome {
    future::pending().await
}

async fn panics() -> Outcome {
    panic!("the pool is poisoned")
}

/// One request.
struct Case {
    name: &'static str,
    setup: Setup,
    method: &'static str,
    /// The path and query as sent.
    target: String,
    accept: Option<&'static str>,
    authorization: Option<&'static str>,
}

impl Case {
    fn new(name: &'static str, setup: Setup, method: &'static str, target: &str) -> Self {
        Self {
            name,
            setup,
            method,
            target: target.to_owned(),
            accept: None,
            authorization: None,
        }
    }

    fn get(name: &'static str, setup: Setup, target: &str) -> Self {
        Self::new(name, setup, "GET", target)
    }

    fn accept(mut self, accept: &'static str) -> Self {
        self.accept = Some(accept);
        self
    }

    fn authorization(mut self, authorization: &'static str) -> Self {
        self.authorization = Some(authorization);
        self
    }

    fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&*self.target, |(path, _)| path)
    }

    fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }
}

fn cases() -> Vec<Case> {
    use Setup::*;

    const PREFIX: &str = "/.well-known/heartbeat";
    let at = |endpoint: &str| format!("{PREFIX}/{endpoint}");
    let custom = |endpoint: &str| format!("/ops/health/{endpoint}");
    let long_query = format!("{}?filler={}", at("readiness"), "x".repeat(8 * 1024));

    vec![
        Case::get("no checks, readiness", NoChecks, &at("readiness")),
        Case::get("no checks, liveliness", NoChecks, &at("liveliness")),
        Case::get("no checks, environ", NoChecks, &at("environ")),
        Case::new("no checks, HEAD", NoChecks, "HEAD", &at("readiness")),
        Case::get("checks of every outcome", Checks, &at("readiness")),
        Case::get("trailing slash", Checks, &at("readiness/")),
        Case::get("liveliness", Checks, &at("liveliness")),
        Case::get("liveness", Checks, &at("liveness")),
        Case::get("startup", Checks, &at("startup")),
        Case::get("environ with contributions", Checks, &at("environ")),
        Case::new("HEAD environ", Checks, "HEAD", &at("environ")),
        Case::new("POST", Checks, "POST", &at("readiness")),
        Case::new("PUT", Checks, "PUT", &at("readiness")),
        Case::new("DELETE", Checks, "DELETE", &at("liveness")),
        Case::new("PATCH", Checks, "PATCH", &at("environ")),
        Case::new("OPTIONS", Checks, "OPTIONS", &at("readiness")),
        Case::get("unknown endpoint", Checks, &at("unknown")),
        Case::get("below an endpoint", Checks, &at("readiness/extra")),
        Case::get("percent-encoded endpoint", Checks, &at("readines%73")),
        Case::get("prefix alone", Checks, PREFIX),
        Case::get("prefix and slash", Checks, &at("")),
        Case::new("HEAD unknown endpoint", Checks, "HEAD", &at("unknown")),
        Case::new("POST unknown endpoint", Checks, "POST", &at("unknown")),
        Case::get("8 KiB query", Checks, &long_query),
        Case::get("empty query", Checks, &format!("{}?", at("readiness"))),
        Case::get("Accept text/html", Checks, &at("readiness")).accept("text/html"),
        Case::get("Accept */*", Checks, &at("readiness")).accept("*/*"),
        Case::get("Accept garbage", Checks, &at("readiness")).accept("garbage"),
        Case::get("Accept xml", Checks, &at("readiness")).accept("application/xml;q=0.1"),
        Case::get("kept checks", KeptReports, &at("readiness")),
        Case::new("HEAD kept checks", KeptReports, "HEAD", &at("readiness")),
        Case::new("HEAD kept liveness", KeptReports, "HEAD", &at("liveness")),
        Case::get("custom prefix", CustomPrefix, &custom("readiness")),
        Case::get("custom liveness", CustomPrefix, &custom("liveness")),
        Case::get("custom unknown", CustomPrefix, &custom("nope")),
        Case::new("custom HEAD", CustomPrefix, "HEAD", &custom("environ")),
        Case::get("health+json", KeptReports, &at("readiness")).accept("application/health+json"),
        Case::get("health+json, passing", KeptReports, &at("liveness"))
            .accept("application/health+json"),
        Case::new("HEAD health+json", KeptReports, "HEAD", &at("readiness"))
            .accept("application/health+json"),
        Case::get("text", Checks, &at("readiness")).accept("text/plain"),
        Case::get("text, passing", Checks, &at("liveness")).accept("text/plain"),
        Case::get(
            "text, verbose",
            Checks,
            &format!("{}?verbose", at("liveness")),
        )
        .accept("text/plain"),
        Case::get("weighed Accept", Checks, &at("startup"))
            .accept("application/json;q=0.5, text/*;q=0.8"),
        Case::get(
            "exclude",
            Checks,
            &format!("{}?exclude=hanging&exclude=panicking", at("readiness")),
        ),
        Case::get(
            "exclude, unknown names",
            Checks,
            &format!(
                "{}?exclude=failing&exclude=no%20such&exclude=a+b",
                at("readiness")
            ),
        )
        .accept("text/plain"),
        Case::get(
            "exclude, malformed",
            Checks,
            &format!("{}?exclude=%&&=%zz", at("readiness")),
        ),
        Case::get("one check", Checks, &at("readiness/failing")),
        Case::get("one check, text", Checks, &at("readiness/passing/")).accept("text/plain"),
        Case::get("one check, unknown", Checks, &at("readiness/nope")),
        Case::new("HEAD one check", Checks, "HEAD", &at("liveness/loop")).accept("text/plain"),
        Case::get("metrics", KeptReports, &at("metrics")),
        Case::new("HEAD metrics", KeptReports, "HEAD", &at("metrics")),
        Case::new("POST metrics", KeptReports, "POST", &at("metrics")),
        Case::get("metrics off", Checks, &at("metrics")),
        Case::get("environ, no token", Guarded, &at("environ")),
        Case::get("environ, wrong token", Guarded, &at("environ"))
            .authorization("Bearer not-the-token"),
        Case::get("environ, token", Guarded, &at("environ")).authorization("Bearer operator-token"),
        Case::new("HEAD environ, no token", Guarded, "HEAD", &at("environ")),
        Case::new("POST environ, token", Guarded, "POST", &at("environ"))
            .authorization("Bearer operator-token"),
        Case::get("statuses only", Guarded, &at("readiness")),
        Case::get("statuses only, text", Guarded, &at("readiness")).accept("text/plain"),
        Case::get("details, wrong token", Guarded, &at("liveness"))
            .authorization("Bearer not-the-token"),
        Case::get("details, token", Guarded, &at("liveness"))
            .authorization("bearer operator-token"),
        Case::get("disabled endpoint", Guarded, &at("startup")),
        Case::get("disabled, listed", Guarded, &at("nope")),
    ]
}

/// An answer, as far as the contract describes it.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

async fn core_answer(heartbeat: &Heartbeat, case: &Case) -> Answer {
    let headers = request_headers(case);
    let request = heartbeat_core::Request::new(case.method, case.path())
        .query(case.query())
        .headers(&headers);
    let (parts, body) = heartbeat.handle(&request).await.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

async fn http_answer(client: &HttpClient, address: SocketAddr, case: &Case) -> Answer {
    let mut request = http::Request::builder()
        .method(Method::from_bytes(case.method.as_bytes()).expect("a valid method"))
        .uri(format!("http://{address}{}", case.target))
        .body(Empty::new())
        .expect("a valid request");
    *request.headers_mut() = request_headers(case);

    let (parts, body) = client.send(request).await;
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

fn request_headers(case: &Case) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(accept) = case.accept {
        headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
    }
    if let Some(authorization) = case.authorization {
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(authorization),
        );
    }
    headers
}

fn compare(actual: &Answer, expected: &Answer) -> Result<(), String> {
    if actual.status != expected.status {
        return Err(format!(
            "status {}, core {}",
            actual.status, expected.status
        ));
    }

    let (actual_body, actual_removed) = normalize(actual)?;
    let (expected_body, expected_removed) = normalize(expected)?;

    for name in CONTRACT_HEADERS {
        let values = |answer: &Answer| -> Vec<String> {
            let values = answer.headers.get_all(&name).iter();
            values
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect()
        };
        let (mut actual_values, mut expected_values) = (values(actual), values(expected));
        if name == header::CONTENT_LENGTH {
            // The length of the body as normalized.
            let shorten = |values: &mut Vec<String>, removed: usize| {
                for value in values {
                    if let Ok(length) = value.parse::<usize>() {
                        *value = length.saturating_sub(removed).to_string();
                    }
                }
            };
            shorten(&mut actual_values, actual_removed);
            shorten(&mut expected_values, expected_removed);
        }
        if actual_values != expected_values {
            return Err(format!(
                "{name}: {actual_values:?}, core {expected_values:?}"
            ));
        }
    }

    if actual_body != expected_body {
        return Err(format!(
            "body\n  {}\ncore\n  {}",
            String::from_utf8_lossy(&actual_body),
            String::from_utf8_lossy(&expected_body),
        ));
    }
    Ok(())
}

/// The body with every `duration_ms` figure replaced by `0`, and how many
/// bytes that removed.
///
/// A check's measured duration differs from one run to the next, so two
/// answers of the same probe differ there and only there. Parsing both
/// bodies into `serde_json::Value` and serializing them again would hide
/// those figures, but would also sort every object's keys, hiding the key
/// order that the answers must share too. So the figures are replaced where
/// they stand and everything else is compared byte for byte; the body must
/// still be valid JSON, and every `duration_ms` in it must have been
/// replaced.
///
/// The `Content-Length` of an answer to HEAD counts figures that it does not
/// show; the cases comparing it on a probe with checks use heartbeats that
/// keep their reports, so that every answer shows the same run.
///
/// A body in another format than JSON is compared as it is: those that
/// show durations (health+json, the metrics) are asked of heartbeats that
/// keep their reports.
fn normalize(answer: &Answer) -> Result<(Vec<u8>, usize), String> {
    let body = &answer.body[..];
    let json = answer
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == "application/json");
    if body.is_empty() || !json {
        return Ok((body.to_vec(), 0));
    }
    serde_json::from_slice::<Value>(body)
        .map_err(|error| format!("invalid JSON ({error}): {}", String::from_utf8_lossy(body)))?;

    // In compact JSON, an unescaped quote cannot stand inside a string, so
    // this, after `{` or `,`, is always a key.
    const KEY: &[u8] = b"\"duration_ms\":";
    let mut normalized = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.windows(KEY.len()).position(|window| window == KEY) {
        let is_key = at > 0 && matches!(rest[at - 1], b'{' | b',');
        let (before, after) = rest.split_at(at + KEY.len());
        normalized.extend_from_slice(before);
        let figure = after
            .iter()
            .take_while(|byte| matches!(byte, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'))
            .count();
        if is_key && figure > 0 {
            normalized.push(b'0');
            rest = &after[figure..];
        } else {
            rest = after;
        }
    }
    normalized.extend_from_slice(rest);

    let value: Value = serde_json::from_slice(&normalized)
        .map_err(|error| format!("normalizing broke the JSON ({error})"))?;
    if !durations_are_zero(&value) {
        return Err(format!("a duration_ms was left: {value}"));
    }
    let removed = body.len() - normalized.len();
    Ok((normalized, removed))
}

fn durations_are_zero(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .all(|(key, value)| (key != "duration_ms" || *value == 0) && durations_are_zero(value)),
        Value::Array(items) => items.iter().all(durations_are_zero),
        _ => true,
    }
}
