//! The formats a probe answers in, chosen by `Accept`; leaving checks out
//! with `exclude`; asking for one check alone.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;

use crate::support::{
    PREFIX, accepting, body, content_type, counted, get, get_accepting, json as json_body, send,
    with_checks,
};
use heartbeat_core::{
    Access, Details, Heartbeat, HeartbeatBuilder, Outcome, Probe, Request, check_fn,
};
use http::{StatusCode, header};
use serde_json::json;

const HEALTH_JSON: &str = "application/health+json";
const TEXT: &str = "text/plain; charset=utf-8";

fn heartbeat() -> Heartbeat {
    with_checks("connection refused").build().unwrap()
}

/// The usual checks and a readiness check `counted`, counting its runs.
fn with_counted(runs: &Arc<AtomicUsize>) -> HeartbeatBuilder {
    with_checks("connection refused").readiness("counted", counted(runs))
}

#[tokio::test]
async fn json_stays_the_default_byte_for_byte() {
    let heartbeat = crate::support::builder().build().unwrap();
    for accept in [
        &[][..],
        &["application/json"],
        &["*/*"],
        &["application/*"],
        &["text/html"],
        &["garbage"],
        &["text/html", "image/*;q=0.5"],
        &["application/json;q=0"],
    ] {
        let response = get_accepting(&heartbeat, "readiness", accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(content_type(&response), "application/json", "{accept:?}");
        assert_eq!(
            body(&response),
            r#"{"status":true,"checks":{}}"#,
            "{accept:?}"
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}

#[tokio::test]
async fn probe_answers_vary_with_accept() {
    let heartbeat = heartbeat();
    for target in ["readiness", "liveness", "startup", "readiness/cache"] {
        let response = get(&heartbeat, target).await;
        assert_eq!(response.headers()[header::VARY], "Accept", "{target}");
    }
    // Always JSON, whatever the request accepts.
    for target in ["environ", "nowhere", "readiness/nope"] {
        let response = get_accepting(&heartbeat, target, &[TEXT]).await;
        assert_eq!(content_type(&response), "application/json", "{target}");
        assert!(response.headers().get(header::VARY).is_none(), "{target}");
    }
}

#[tokio::test]
async fn health_json_follows_the_draft() {
    let heartbeat = heartbeat();
    let response = get_accepting(&heartbeat, "readiness", &[HEALTH_JSON]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(content_type(&response), HEALTH_JSON);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");

    let mut value = json_body(&response);
    let database = &mut value["checks"]["database:responseTime"][0];
    assert!(database["observedValue"].as_f64().unwrap() >= 0.0);
    database["observedValue"] = json!(0);
    let time = database["time"].take();
    let cache = &mut value["checks"]["cache:responseTime"][0];
    cache["observedValue"] = json!(0);
    cache["time"].take();
    assert_eq!(
        value,
        json!({
            "status": "fail",
            "output": "failing: database",
            "checks": {
                "cache:responseTime": [{
                    "componentId": "cache",
                    "componentType": "component",
                    "observedValue": 0,
                    "observedUnit": "ms",
                    "status": "pass",
                    "time": null,
                }],
                "database:responseTime": [{
                    "componentId": "database",
                    "componentType": "component",
                    "observedValue": 0,
                    "observedUnit": "ms",
                    "status": "fail",
                    "time": null,
                    "output": "connection refused",
                }],
            },
        })
    );

    // `2026-05-01T12:00:00.123Z`: in UTC, to the millisecond.
    let time = time.as_str().unwrap();
    assert_eq!(time.len(), 24, "{time}");
    assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");

    let passing = get_accepting(&heartbeat, "liveness", &[HEALTH_JSON]).await;
    assert_eq!(passing.status(), StatusCode::OK);
    let value = json_body(&passing);
    assert_eq!(value["status"], "pass");
    assert!(value.get("output").is_none());
}

#[tokio::test]
async fn text_reads_as_kubernetes_writes_it() {
    let heartbeat = heartbeat();
    let failing = get_accepting(&heartbeat, "readiness", &["text/plain"]).await;
    assert_eq!(failing.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(content_type(&failing), TEXT);
    assert_eq!(
        body(&failing),
        "[+]cache ok\n[-]database failed: connection refused\nreadiness check failed\n"
    );

    let passing = get_accepting(&heartbeat, "liveness", &["text/*"]).await;
    assert_eq!(passing.status(), StatusCode::OK);
    assert_eq!(body(&passing), "ok");

    let verbose = get_accepting(&heartbeat, "liveliness?verbose", &["text/plain"]).await;
    assert_eq!(body(&verbose), "[+]loop ok\nliveness check passed\n");

    // A JSON answer has no verbose form: the query changes nothing there.
    let json = get(&heartbeat, "liveness?verbose").await;
    assert_eq!(content_type(&json), "application/json");
}

#[tokio::test]
async fn weights_and_wildcards_choose_the_format() {
    let heartbeat = heartbeat();
    for (accept, expected) in [
        ("text/plain;q=0.9, application/health+json", HEALTH_JSON),
        ("application/health+json;q=0.1, text/*;q=0.2", TEXT),
        ("text/html, application/json;q=0.1, text/plain;q=0.2", TEXT),
        ("application/*, text/plain;q=0.999", "application/json"),
        ("TEXT/PLAIN; Charset=UTF-8", TEXT),
        ("text/plain; charset=latin1", "application/json"),
        ("*/*;q=0.5, application/health+json;q=0", "application/json"),
    ] {
        let response = get_accepting(&heartbeat, "readiness", &[accept]).await;
        assert_eq!(content_type(&response), expected, "{accept}");
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{accept}"
        );
    }
}

#[tokio::test]
async fn head_answers_any_format_without_a_body() {
    let heartbeat = heartbeat();
    for accept in [HEALTH_JSON, "text/plain"] {
        let headers = accepting(&[accept]);
        let head = send(&heartbeat, "HEAD", "liveness", &headers).await;
        let get = send(&heartbeat, "GET", "liveness", &headers).await;
        assert_eq!(head.status(), get.status());
        assert!(head.body().is_empty());
        assert_eq!(
            head.headers()[header::CONTENT_TYPE],
            get.headers()[header::CONTENT_TYPE]
        );
        if accept == "text/plain" {
            assert_eq!(head.headers()[header::CONTENT_LENGTH], "2");
        }
    }
}

#[tokio::test]
async fn withheld_details_hold_in_every_format() {
    let heartbeat = with_checks("connection refused")
        .details(Probe::Readiness, Details::StatusOnly)
        .build()
        .unwrap();
    let text = get_accepting(&heartbeat, "readiness", &["text/plain"]).await;
    assert_eq!(
        body(&text),
        "[+]cache ok\n[-]database failed: reason withheld\nreadiness check failed\n"
    );

    let health = get_accepting(&heartbeat, "readiness", &[HEALTH_JSON]).await;
    let value = json_body(&health);
    let database = &value["checks"]["database:responseTime"][0];
    assert_eq!(database["output"], "reason withheld");
    assert_eq!(database["status"], "fail");
    assert!(database.get("observedValue").is_none());
    assert!(!body(&health).contains("connection refused"));

    let one = get(&heartbeat, "readiness/database").await;
    assert_eq!(
        body(&one),
        r#"{"status":false,"checks":{"database":{"status":false,"message":"reason withheld"}}}"#
    );
}

#[tokio::test]
async fn excluded_checks_neither_run_nor_count() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = with_counted(&runs).build().unwrap();

    let response = get(&heartbeat, "readiness?exclude=database&exclude=counted").await;
    assert_eq!(response.status(), StatusCode::OK);
    let value = json_body(&response);
    assert_eq!(value["status"], true);
    assert_eq!(
        value["checks"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["cache"]
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    let text = get_accepting(
        &heartbeat,
        "readiness?exclude=cache&verbose",
        &["text/plain"],
    )
    .await;
    assert_eq!(
        body(&text),
        "[+]counted ok\n[-]database failed: connection refused\nreadiness check failed\n"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unknown_exclusions_are_noted_not_failed() {
    let heartbeat = heartbeat();
    let target = "liveness?exclude=nope&exclude=two+words&exclude=loop%21";

    let json = get(&heartbeat, target).await;
    assert_eq!(json.status(), StatusCode::OK);
    let body_text = body(&json);
    assert!(
        body_text.ends_with(r#","excluded_unknown":["nope","two words","loop!"]}"#),
        "{body_text}"
    );
    assert_eq!(json_body(&json)["checks"]["loop"]["status"], true);

    let health = get_accepting(&heartbeat, target, &[HEALTH_JSON]).await;
    assert_eq!(
        json_body(&health)["notes"],
        json!([
            "no check named \"nope\" to exclude",
            "no check named \"two words\" to exclude",
            "no check named \"loop!\" to exclude",
        ])
    );

    let text = get_accepting(&heartbeat, target, &["text/plain"]).await;
    assert_eq!(
        body(&text),
        concat!(
            "warn: no check named \"nope\" to exclude\n",
            "warn: no check named \"two words\" to exclude\n",
            "warn: no check named \"loop!\" to exclude\n",
            "ok"
        )
    );
}

#[tokio::test]
async fn malformed_queries_are_read_as_far_as_they_go() {
    let heartbeat = heartbeat();
    for query in [
        "exclude=%",
        "exclude=%zz&exclude=%E2%82",
        "&&&=&==&exclude",
        "exclude=database=x",
        "verbose=%FF%FE",
        "exclude=%00",
        "%%%%",
    ] {
        let response =
            get_accepting(&heartbeat, &format!("readiness?{query}"), &["text/plain"]).await;
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{query}"
        );
        assert!(
            body(&response).ends_with("readiness check failed\n"),
            "{query}"
        );
    }
    // A percent-encoded name is the name.
    let excluded = get(&heartbeat, "readiness?exclude=d%61tabase").await;
    assert_eq!(excluded.status(), StatusCode::OK);
}

#[tokio::test]
async fn one_check_answers_alone() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = with_counted(&runs).build().unwrap();

    let failing = get(&heartbeat, "readiness/database").await;
    assert_eq!(failing.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failing.headers()[header::VARY], "Accept");
    let value = json_body(&failing);
    assert_eq!(value["status"], false);
    assert_eq!(value["checks"].as_object().unwrap().len(), 1);
    assert_eq!(value["checks"]["database"]["message"], "connection refused");
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    let passing = get_accepting(&heartbeat, "readiness/cache/", &["text/plain"]).await;
    assert_eq!(passing.status(), StatusCode::OK);
    assert_eq!(body(&passing), "ok");

    let verbose = get_accepting(&heartbeat, "readiness/counted?verbose", &["text/plain"]).await;
    assert_eq!(body(&verbose), "[+]counted ok\nreadiness check passed\n");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let health = get_accepting(&heartbeat, "liveliness/loop", &[HEALTH_JSON]).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(
        json_body(&health)["checks"]["loop:responseTime"][0]["status"],
        "pass"
    );
}

#[tokio::test]
async fn an_unknown_check_answers_404_listing_the_probes_checks() {
    let heartbeat = heartbeat();
    for name in ["nope", "loop", "Cache", "database%20"] {
        let response =
            get_accepting(&heartbeat, &format!("readiness/{name}"), &[HEALTH_JSON]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");
        assert_eq!(content_type(&response), "application/json");
        let value = json_body(&response);
        assert_eq!(value["checks"], json!(["cache", "database"]), "{name}");
    }
    assert_eq!(
        body(&get(&heartbeat, "readiness/nope").await),
        r#"{"error":"readiness has no check named \"nope\"","checks":["cache","database"]}"#
    );
}

#[tokio::test]
async fn names_in_paths_are_percent_decoded() {
    let heartbeat = crate::support::builder()
        .readiness("données", check_fn(|| async { Outcome::pass() }))
        .readiness("a+b", check_fn(|| async { Outcome::pass() }))
        .build()
        .unwrap();
    for path in [
        "readiness/donn%C3%A9es",
        "readiness/données",
        "readiness/a+b",
        "readiness/a%2Bb",
    ] {
        let response = get(&heartbeat, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn paths_below_a_check_or_environ_are_unknown() {
    let heartbeat = heartbeat();
    for path in [
        "readiness/database/extra",
        "readiness//database",
        "environ/anything",
        "readiness//",
        "nope/database",
    ] {
        let response = get(&heartbeat, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            json_body(&response)["error"],
            "no heartbeat endpoint at this path"
        );
    }
}

#[tokio::test]
async fn a_checks_endpoint_keeps_its_probes_access() {
    let heartbeat = with_checks("connection refused")
        .access(Probe::Readiness, Access::Disabled)
        .build()
        .unwrap();
    let response = get(&heartbeat, "readiness/cache").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_body(&response)["error"],
        "no heartbeat endpoint at this path"
    );

    let post = heartbeat
        .handle(&Request::new("POST", &format!("{PREFIX}/liveness/loop")))
        .await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn partial_runs_leave_the_kept_report_alone() {
    let runs = Arc::new(AtomicUsize::new(0));
    let heartbeat = with_counted(&runs)
        .cache(Probe::Readiness, Duration::from_secs(3600))
        .build()
        .unwrap();

    let kept = heartbeat.report(Probe::Readiness).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Leaving a check out runs the others afresh, for this request alone.
    let response = get(&heartbeat, "readiness?exclude=database").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let again = heartbeat.report(Probe::Readiness).await;
    assert!(Arc::ptr_eq(&kept, &again));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// Whether `body` reads as Kubernetes' health endpoints write theirs: `ok`
/// alone, or lines `[+]<name> ok`, `[+]<name> excluded: ok` or
/// `[-]<name> failed[: reason]`, after any `warn:` lines, then
/// `<probe> check passed|failed`.
fn kubernetes_text(body: &str) -> bool {
    let mut lines: Vec<&str> = body.lines().collect();
    while lines.first().is_some_and(|line| line.starts_with("warn: ")) {
        lines.remove(0);
    }
    if lines == ["ok"] {
        return !body.ends_with('\n');
    }
    let Some((verdict, checks)) = lines.split_last() else {
        return false;
    };
    let verdict_fits = verdict
        .split_once(" check ")
        .is_some_and(|(probe, result)| {
            !probe.is_empty() && !probe.contains(' ') && ["passed", "failed"].contains(&result)
        });
    let check_fits = |line: &&str| {
        let name_then = |rest: &str, tails: &[&str]| {
            rest.split_once(' ').is_some_and(|(name, tail)| {
                !name.is_empty()
                    && tails
                        .iter()
                        .any(|fits| tail == *fits || tail.starts_with(&format!("{fits}: ")))
            })
        };
        match (line.strip_prefix("[+]"), line.strip_prefix("[-]")) {
            (Some(rest), _) => name_then(rest, &["ok"]) || rest.ends_with(" excluded: ok"),
            (_, Some(rest)) => name_then(rest, &["failed"]),
            _ => false,
        }
    };
    body.ends_with('\n') && verdict_fits && checks.iter().all(check_fits)
}

#[test]
fn the_grammar_reads_kubernetes_own_answers() {
    // As the Kubernetes API server answers `/readyz?verbose` and
    // `/livez?verbose&exclude=etcd`, and a failing `/healthz`.
    assert!(kubernetes_text(
        "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/generic-apiserver-start-informers ok\nreadyz check passed\n"
    ));
    assert!(kubernetes_text(
        "[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\nlivez check passed\n"
    ));
    assert!(kubernetes_text(
        "[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n"
    ));
    assert!(kubernetes_text("ok"));
    assert!(!kubernetes_text("fine"));
    assert!(!kubernetes_text("[?]ping ok\nreadyz check passed\n"));
    assert!(!kubernetes_text("[+]ping ok\n"));
}

#[tokio::test]
async fn every_text_answer_reads_as_kubernetes_writes_it() {
    let heartbeat = heartbeat();
    for target in [
        "readiness",
        "readiness?verbose",
        "readiness?exclude=database",
        "readiness?exclude=database&verbose",
        "readiness?exclude=nope&verbose",
        "liveness",
        "liveness?verbose",
        "startup?verbose",
        "readiness/database",
        "readiness/cache?verbose",
    ] {
        let response = get_accepting(&heartbeat, target, &["text/plain"]).await;
        assert!(
            kubernetes_text(body(&response)),
            "{target}: {:?}",
            body(&response)
        );
    }
}
