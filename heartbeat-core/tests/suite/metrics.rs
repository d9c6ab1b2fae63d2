//! The `metrics` endpoint: Prometheus' text format, read by a Prometheus
//! parser and checked line by line against the format's grammar.

use std::{
    collections::{HashMap, HashSet},
    io,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use crate::support::{body, counted, get, passing, with_checks};
use heartbeat_core::{HeartbeatBuilder, Probe, Request, check_fn};
use http::{StatusCode, header};
use prometheus_parse::{Scrape, Value};

const METRICS: &str = "/.well-known/heartbeat/metrics";

/// The usual checks, with one on startup and a contribution to environ.
fn on_every_probe() -> HeartbeatBuilder {
    with_checks("connection refused")
        .startup("migrations", check_fn(|| async { true }))
        .environ("build", passing())
}

fn scrape(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|line| Ok::<_, io::Error>(line.to_owned()))).unwrap()
}

/// The value of the sample of `metric` for a probe's check.
fn sample(scrape: &Scrape, metric: &str, probe: &str, check: &str) -> Option<Value> {
    scrape
        .samples
        .iter()
        .find(|sample| {
            sample.metric == metric
                && sample.labels.get("probe") == Some(probe)
                && sample.labels.get("check") == Some(check)
        })
        .map(|sample| sample.value.clone())
}

#[tokio::test]
async fn off_unless_asked_for() {
    let heartbeat = on_every_probe().build().unwrap();
    let response = get(&heartbeat, "metrics").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!body(&response).contains("metrics"));

    let on = on_every_probe().metrics(true).build().unwrap();
    let listed = get(&on, "nowhere").await;
    assert!(body(&listed).ends_with(r#""/.well-known/heartbeat/metrics"]}"#));
}

#[tokio::test]
async fn the_latest_results_and_counts_are_exposed() {
    let heartbeat = on_every_probe().metrics(true).build().unwrap();
    for _ in 0..3 {
        heartbeat.report(Probe::Readiness).await;
    }
    heartbeat.report(Probe::Liveness).await;

    let response = get(&heartbeat, "metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let text = body(&response);
    check_grammar(text);
    let scrape = scrape(text);

    let status = |probe, check| sample(&scrape, "heartbeat_check_status", probe, check);
    assert_eq!(status("readiness", "cache"), Some(Value::Gauge(1.0)));
    assert_eq!(status("readiness", "database"), Some(Value::Gauge(0.0)));
    assert_eq!(status("liveness", "loop"), Some(Value::Gauge(1.0)));
    // Startup has not run: no latest result, and counters of zero.
    assert_eq!(status("startup", "migrations"), None);

    let runs = |probe, check| sample(&scrape, "heartbeat_check_runs_total", probe, check);
    let failures = |probe, check| sample(&scrape, "heartbeat_check_failures_total", probe, check);
    assert_eq!(runs("readiness", "database"), Some(Value::Counter(3.0)));
    assert_eq!(failures("readiness", "database"), Some(Value::Counter(3.0)));
    assert_eq!(runs("readiness", "cache"), Some(Value::Counter(3.0)));
    assert_eq!(failures("readiness", "cache"), Some(Value::Counter(0.0)));
    assert_eq!(runs("liveness", "loop"), Some(Value::Counter(1.0)));
    assert_eq!(runs("startup", "migrations"), Some(Value::Counter(0.0)));

    let Some(Value::Gauge(seconds)) = sample(
        &scrape,
        "heartbeat_check_duration_seconds",
        "readiness",
        "database",
    ) else {
        panic!("no duration in\n{text}");
    };
    assert!((0.0..1.0).contains(&seconds), "{seconds}");

    assert!(scrape.docs.contains_key("heartbeat_check_status"));
    assert!(
        !text.contains("build"),
        "environ contributions are not checks"
    );
}

#[tokio::test]
async fn reading_the_metrics_runs_nothing() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = crate::support::builder()
        .metrics(true)
        .readiness("counted", counted(&runs))
        .build()
        .unwrap();
    for _ in 0..3 {
        get(&heartbeat, "metrics").await;
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(heartbeat.metrics(), body(&get(&heartbeat, "metrics").await));
}

#[tokio::test]
async fn partial_runs_count_too() {
    let heartbeat = on_every_probe().metrics(true).build().unwrap();
    get(&heartbeat, "readiness/database").await;
    get(&heartbeat, "readiness?exclude=database").await;

    let scrape = scrape(&heartbeat.metrics());
    let runs = |check| sample(&scrape, "heartbeat_check_runs_total", "readiness", check);
    assert_eq!(runs("database"), Some(Value::Counter(1.0)));
    assert_eq!(runs("cache"), Some(Value::Counter(1.0)));
}

#[tokio::test]
async fn methods_and_paths_follow_the_other_endpoints() {
    let heartbeat = on_every_probe().metrics(true).build().unwrap();
    let head = heartbeat.handle(&Request::new("HEAD", METRICS)).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.body().is_empty());
    assert_eq!(
        head.headers()[header::CONTENT_LENGTH],
        heartbeat.metrics().len().to_string()
    );

    let post = heartbeat.handle(&Request::new("POST", METRICS)).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers()[header::ALLOW], "GET, HEAD");

    assert_eq!(get(&heartbeat, "metrics/").await.status(), StatusCode::OK);
    assert_eq!(
        get(&heartbeat, "metrics/x").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn label_values_are_escaped() {
    let heartbeat = crate::support::builder()
        .readiness(r#"say"hi"\o"#, passing())
        .build()
        .unwrap();
    heartbeat.report(Probe::Readiness).await;
    let text = heartbeat.metrics();
    check_grammar(&text);
    assert!(
        text.contains(r#"heartbeat_check_status{probe="readiness",check="say\"hi\"\\o"} 1"#),
        "{text}"
    );
}

/// Checks `text` against the text exposition format, version 0.0.4: each
/// line is a `# HELP`, a `# TYPE` or a sample; a family's `TYPE` comes
/// before its samples, once; its samples stand together; no series repeats;
/// names are valid, label values properly quoted and escaped, values floats.
fn check_grammar(text: &str) {
    assert!(text.ends_with('\n'), "the last line ends with a line feed");
    let mut typed: HashMap<String, String> = HashMap::new();
    let mut helped = HashSet::new();
    let mut finished = HashSet::new();
    let mut current: Option<String> = None;
    let mut series = HashSet::new();

    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP has a name and a text");
            assert!(valid_name(name), "{line}");
            assert!(!help.is_empty(), "{line}");
            assert!(helped.insert(name.to_owned()), "a second HELP: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE has a name and a type");
            assert!(valid_name(name), "{line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                typed.insert(name.to_owned(), kind.to_owned()).is_none(),
                "a second TYPE: {line}"
            );
            if let Some(previous) = current.replace(name.to_owned()) {
                finished.insert(previous);
            }
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");

        let (name, labels, value) = split_sample(line);
        assert!(valid_name(name), "{line}");
        assert_eq!(
            current.as_deref(),
            Some(name),
            "a sample outside its family: {line}"
        );
        assert!(!finished.contains(name), "{line}");
        if typed[name] == "counter" {
            assert!(name.ends_with("_total"), "{line}");
        }
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(
            series.insert((name.to_owned(), labels)),
            "a repeated series: {line}"
        );
    }
    assert!(!typed.is_empty());
    assert_eq!(
        typed.keys().collect::<HashSet<_>>(),
        helped.iter().collect()
    );
}

/// `name{label="value",...} value`, with label values unescaped.
fn split_sample(line: &str) -> (&str, Vec<(String, String)>, &str) {
    let Some(open) = line.find('{') else {
        let (name, value) = line.split_once(' ').expect("a name and a value");
        return (name, Vec::new(), value);
    };
    let name = &line[..open];
    let mut labels = Vec::new();
    let mut rest = &line[open + 1..];
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            let value = after.strip_prefix(' ').expect("a space before the value");
            return (name, labels, value);
        }
        let (label, after) = rest.split_once("=\"").expect("label=\"value\"");
        assert!(valid_name(label) && !label.contains(':'), "{line}");
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect("a closing quote") {
                (_, '\\') => match chars.next().expect("an escaped character").1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    other => panic!("an unknown escape \\{other}: {line}"),
                },
                (at, '"') => break at,
                (_, c) => value.push(c),
            }
        };
        labels.push((label.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}
