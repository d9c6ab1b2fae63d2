//! What the tests of the core share: heartbeats and checks to build them
//! from, requests to ask them, readings of their answers, and a recorder of
//! what they log.

#![allow(dead_code, reason = "each test file uses part of this module")]

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use heartbeat_core::{
    Check, Heartbeat, HeartbeatBuilder, Outcome, Report, Request, Response, check_fn,
};
use http::{HeaderMap, HeaderValue, header};
use serde_json::Value;

/// Where the endpoints are, unless a test moves them.
pub(crate) const PREFIX: &str = "/.well-known/heartbeat";

/// A builder without the checks declared with `#[probe]` elsewhere in the
/// test binary, so that only a test's own checks run.
pub(crate) fn builder() -> HeartbeatBuilder {
    Heartbeat::builder().without_declared()
}

/// The checks most tests ask about: on readiness, `cache`, passing with a
/// `latency_ms` of 0.5, and `database`, failing with `database_failure`; on
/// liveness, `loop`, passing.
pub(crate) fn with_checks(database_failure: &'static str) -> HeartbeatBuilder {
    builder()
        .readiness(
            "cache",
            check_fn(|| async { Outcome::pass().with("latency_ms", 0.5) }),
        )
        .readiness("database", failing(database_failure))
        .liveness("loop", passing())
}

/// A check that passes, with no data.
pub(crate) fn passing() -> impl Check {
    check_fn(|| async { Outcome::pass() })
}

/// A check that fails, saying `reason`.
pub(crate) fn failing(reason: &'static str) -> impl Check {
    check_fn(move || async move { Outcome::fail(reason) })
}

/// A check that passes while `up` holds, and fails saying `reason` while it
/// does not.
pub(crate) fn switched(up: &Arc<AtomicBool>, reason: &'static str) -> impl Check {
    let up = up.clone();
    check_fn(move || {
        let up = up.load(Ordering::SeqCst);
        async move {
            if up {
                Outcome::pass()
            } else {
                Outcome::fail(reason)
            }
        }
    })
}

/// A check that passes and counts its runs in `runs`, showing the count as
/// `run`.
pub(crate) fn counted(runs: &Arc<AtomicUsize>) -> impl Check {
    let runs = runs.clone();
    check_fn(move || {
        let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Outcome::pass().with("run", run) }
    })
}

/// The message of a check in a report.
pub(crate) fn message(report: &Report, check: &str) -> Option<String> {
    report
        .check(check)
        .and_then(|entry| entry.outcome().message())
        .map(str::to_owned)
}

/// Asks `heartbeat` with `method` and `headers` for `target`: a path below
/// [`PREFIX`] and any query, such as `readiness?verbose`.
pub(crate) async fn send(
    heartbeat: &Heartbeat,
    method: &str,
    target: &str,
    headers: &HeaderMap,
) -> Response {
    ask(heartbeat, method, target, Some(headers)).await
}

/// A GET of `target`, as [`send`] takes it, with no headers at all.
pub(crate) async fn get(heartbeat: &Heartbeat, target: &str) -> Response {
    ask(heartbeat, "GET", target, None).await
}

/// A GET of `target`, as [`send`] takes it, with these `Accept` values.
pub(crate) async fn get_accepting(
    heartbeat: &Heartbeat,
    target: &str,
    accept: &[&str],
) -> Response {
    send(heartbeat, "GET", target, &accepting(accept)).await
}

/// Headers with these `Accept` values, none for none.
pub(crate) fn accepting(accept: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in accept {
        headers.append(header::ACCEPT, HeaderValue::from_str(value).unwrap());
    }
    headers
}

/// The status and the JSON body of a GET of `target`, as [`send`] takes it.
pub(crate) async fn get_json(heartbeat: &Heartbeat, target: &str) -> (u16, Value) {
    let response = get(heartbeat, target).await;
    (response.status().as_u16(), json(&response))
}

async fn ask(
    heartbeat: &Heartbeat,
    method: &str,
    target: &str,
    headers: Option<&HeaderMap>,
) -> Response {
    let target = format!("{PREFIX}/{target}");
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target.as_str(), None),
    };
    let mut request = Request::new(method, path).query(query);
    if let Some(headers) = headers {
        request = request.headers(headers);
    }
    heartbeat.handle(&request).await
}

/// The body, as text.
pub(crate) fn body(response: &Response) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

/// The body, read as JSON.
pub(crate) fn json(response: &Response) -> Value {
    serde_json::from_slice(response.body()).expect("a JSON body")
}

/// The `Content-Type` of an answer.
pub(crate) fn content_type(response: &Response) -> &str {
    response.headers()[header::CONTENT_TYPE].to_str().unwrap()
}

/// Asserts the headers of every JSON answer.
pub(crate) fn assert_json_headers(response: &Response) {
    let headers = response.headers();
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

/// The body with every `duration_ms` figure replaced by `0`, so that it can
/// be compared byte for byte (key order included) with an expected body.
pub(crate) fn without_durations(response: &Response) -> String {
    const KEY: &str = "\"duration_ms\":";
    let body = body(response);
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        out.push('0');
        let figure = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
            .unwrap_or(after.len());
        assert!(figure > 0, "duration_ms without a figure in {body}");
        rest = &after[figure..];
    }
    out.push_str(rest);
    out
}

/// The fields of one logged event by name: strings as they are, any other
/// value as `Debug` shows it.
pub(crate) type Fields = HashMap<&'static str, String>;

/// Runs `future` on a runtime of its own, on this thread, while a
/// subscriber records every event of the target `heartbeat` at `level`;
/// returns the fields of each, in order.
pub(crate) fn events_while(level: tracing::Level, future: impl Future<Output = ()>) -> Vec<Fields> {
    let recorder = Recorder {
        level,
        events: Arc::default(),
    };
    tracing::subscriber::with_default(recorder.clone(), || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(future);
    });
    recorder.events.lock().unwrap().clone()
}

/// The subscriber of [`events_while`].
#[derive(Clone)]
struct Recorder {
    level: tracing::Level,
    events: Arc<Mutex<Vec<Fields>>>,
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "heartbeat" && *metadata.level() == self.level
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        struct Visitor(Fields);
        impl tracing::field::Visit for Visitor {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.insert(field.name(), format!("{value:?}"));
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name(), value.to_owned());
            }
        }
        let mut fields = Visitor(Fields::new());
        event.record(&mut fields);
        self.events.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
