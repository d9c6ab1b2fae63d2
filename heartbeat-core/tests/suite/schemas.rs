//! The JSON Schemas in `schemas/` describe what the probes really answer,
//! and the health schema accepts the IETF draft's own example.

use std::time::Duration;

use crate::support::{builder, failing, get_accepting, json, passing};
use boon::{Compiler, SchemaIndex, Schemas};
use heartbeat_core::{Details, Heartbeat, Outcome, Probe, Registration, check_fn};
use serde_json::{Value, json};

struct Validator {
    schemas: Schemas,
    probe_schema: SchemaIndex,
    health_schema: SchemaIndex,
}

impl Validator {
    fn new() -> Self {
        let mut compiler = Compiler::new();
        compiler.enable_format_assertions();
        let mut schemas = Schemas::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
        let mut compile = |name: &str| {
            compiler
                .compile(&format!("{dir}/{name}.json"), &mut schemas)
                .unwrap()
        };
        let probe_schema = compile("probe");
        let health_schema = compile("health");
        Self {
            schemas,
            probe_schema,
            health_schema,
        }
    }

    /// Whether `value` fits the probe schema; why not if it does not.
    fn probe(&self, value: &Value) -> Result<(), String> {
        self.check(self.probe_schema, value)
    }

    /// Whether `value` fits the health schema; why not if it does not.
    fn health(&self, value: &Value) -> Result<(), String> {
        self.check(self.health_schema, value)
    }

    fn check(&self, schema: SchemaIndex, value: &Value) -> Result<(), String> {
        self.schemas
            .validate(value, schema)
            .map_err(|error| format!("{error:#}"))
    }
}

fn heartbeat() -> Heartbeat {
    builder()
        .readiness(
            "cache",
            check_fn(|| async {
                Outcome::pass()
                    .with("latency_ms", 0.4)
                    .with("nodes", json!([1, 2]))
            }),
        )
        .readiness("database", failing("connection refused"))
        .readiness("silent", check_fn(|| async { false }))
        .register(
            Registration::new("hanging", check_fn(std::future::pending::<Outcome>))
                .probes([Probe::Readiness])
                .timeout(Duration::from_millis(20)),
        )
        .liveness("loop", passing())
        .build()
        .unwrap()
}

/// The bodies of every probe and check, with and without details, in one
/// format.
async fn bodies(accept: &'static str) -> Vec<(String, Value)> {
    let open = heartbeat();
    let withheld = builder()
        .details(Probe::Readiness, Details::StatusOnly)
        .readiness("database", failing("secret"))
        .build()
        .unwrap();
    let empty = builder().build().unwrap();

    let mut bodies = Vec::new();
    for (heartbeat, target) in [
        (&open, "readiness"),
        (&open, "liveness"),
        (&open, "startup"),
        (&open, "readiness/database"),
        (&open, "readiness/cache"),
        (
            &open,
            "readiness?exclude=database&exclude=nope&exclude=x%22y",
        ),
        (&withheld, "readiness"),
        (&empty, "readiness"),
    ] {
        let response = get_accepting(heartbeat, target, &[accept]).await;
        let body = json(&response);
        bodies.push((target.to_owned(), body));
    }
    bodies
}

#[tokio::test]
async fn every_json_body_fits_the_probe_schema() {
    let validator = Validator::new();
    for (target, body) in bodies("application/json").await {
        assert_eq!(validator.probe(&body), Ok(()), "{target}: {body}");
    }
}

#[tokio::test]
async fn every_health_body_fits_the_health_schema() {
    let validator = Validator::new();
    for (target, body) in bodies("application/health+json").await {
        assert_eq!(validator.health(&body), Ok(()), "{target}: {body}");
        // What the schema leaves optional, as the draft does, and a
        // heartbeat always sends.
        for components in body["checks"].as_object().unwrap().values() {
            let [component] = components.as_array().unwrap().as_slice() else {
                panic!("{target}: one component per check: {body}");
            };
            for key in ["componentId", "componentType", "status", "time"] {
                assert!(
                    component.get(key).is_some(),
                    "{target}: {key} in {component}"
                );
            }
        }
    }
}

#[test]
fn the_contracts_example_fits_the_probe_schema() {
    let validator = Validator::new();
    let example = json!({
        "status": false,
        "checks": {
            "database": { "status": false, "message": "connection refused" },
            "cache": { "status": true, "latency_ms": 0.4 }
        }
    });
    assert_eq!(validator.probe(&example), Ok(()));
}

#[test]
fn the_probe_schema_rejects_what_the_contract_forbids() {
    let validator = Validator::new();
    for wrong in [
        json!({ "status": "true", "checks": {} }),
        json!({ "status": 1, "checks": {} }),
        json!({ "status": true }),
        json!({ "status": true, "checks": [] }),
        json!({ "status": true, "checks": { "a": { "status": null } } }),
        json!({ "status": true, "checks": { "a": { "latency_ms": 1 } } }),
        json!({ "status": true, "checks": { "a": { "status": true, "duration_ms": "1" } } }),
        json!({ "status": true, "checks": {}, "excluded_unknown": [] }),
    ] {
        assert!(validator.probe(&wrong).is_err(), "{wrong}");
    }
}

/// The example of the draft's section 5, "Example Output".
fn draft_example() -> Value {
    json!({
        "status": "pass",
        "version": "1",
        "releaseId": "1.2.2",
        "notes": [""],
        "output": "",
        "serviceId": "f03e522f-1f44-4062-9b55-9587f91c9c41",
        "description": "health of authz service",
        "checks": {
            "cassandra:responseTime": [{
                "componentId": "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2",
                "componentType": "datastore",
                "observedValue": 250,
                "observedUnit": "ms",
                "status": "pass",
                "affectedEndpoints": [
                    "/users/{userId}",
                    "/customers/{customerId}/status",
                    "/shopping/{anything}"
                ],
                "time": "2018-01-17T03:36:48Z",
                "output": ""
            }],
            "cassandra:connections": [{
                "componentId": "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2",
                "componentType": "datastore",
                "observedValue": 75,
                "status": "warn",
                "time": "2018-01-17T03:36:48Z",
                "output": "",
                "links": { "self": "http://api.example.com/dbnode/dfd6cf2b/health" }
            }],
            "uptime": [{
                "componentType": "system",
                "observedValue": 1209600.245,
                "observedUnit": "s",
                "status": "pass",
                "time": "2018-01-17T03:36:48Z"
            }],
            "cpu:utilization": [
                {
                    "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
                    "node": 1,
                    "componentType": "system",
                    "observedValue": 85,
                    "observedUnit": "percent",
                    "status": "warn",
                    "time": "2018-01-17T03:36:48Z",
                    "output": ""
                },
                {
                    "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
                    "node": 2,
                    "componentType": "system",
                    "observedValue": 85,
                    "observedUnit": "percent",
                    "status": "warn",
                    "time": "2018-01-17T03:36:48Z",
                    "output": ""
                }
            ],
            "memory:utilization": [
                {
                    "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
                    "node": 1,
                    "componentType": "system",
                    "observedValue": 8.5,
                    "observedUnit": "GiB",
                    "status": "warn",
                    "time": "2018-01-17T03:36:48Z",
                    "output": ""
                },
                {
                    "componentId": "6fd416e0-8920-410f-9c7b-c479000f7227",
                    "node": 2,
                    "componentType": "system",
                    "observedValue": 5500,
                    "observedUnit": "MiB",
                    "status": "pass",
                    "time": "2018-01-17T03:36:48Z",
                    "output": ""
                }
            ]
        },
        "links": {
            "about": "http://api.example.com/about/authz",
            "http://api.x.io/rel/thresholds": "http://api.x.io/about/authz/thresholds"
        }
    })
}

#[test]
fn the_drafts_example_fits_the_health_schema() {
    let validator = Validator::new();
    assert_eq!(validator.health(&draft_example()), Ok(()));
    assert_eq!(validator.health(&json!({ "status": "warn" })), Ok(()));
}

#[test]
fn the_health_schema_rejects_what_the_draft_forbids() {
    let validator = Validator::new();
    let mut wrong_time = draft_example();
    wrong_time["checks"]["uptime"][0]["time"] = json!("yesterday");
    let mut not_an_array = draft_example();
    not_an_array["checks"]["uptime"] = json!({ "status": "pass" });
    let mut wrong_status = draft_example();
    wrong_status["checks"]["uptime"][0]["status"] = json!(true);
    for wrong in [
        json!({}),
        json!({ "status": true }),
        json!({ "status": "maybe" }),
        json!({ "status": "pass", "notes": "one" }),
        wrong_time,
        not_an_array,
        wrong_status,
    ] {
        assert!(validator.health(&wrong).is_err(), "{wrong}");
    }
}
