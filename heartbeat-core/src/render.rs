//! The JSON bodies of the contract, written straight from reports.

use serde::{
    Serialize, Serializer,
    ser::{SerializeMap, SerializeStruct},
};
use serde_json::{Map, Value};

use crate::{
    access::WITHHELD,
    report::{CheckReport, Report},
};

/// The keys of a check's entry that belong to the heartbeat; a check's data
/// under these keys is not shown.
const RESERVED: [&str; 2] = ["status", "duration_ms"];

/// `{"status": …, "checks": {name: {"status": …, "duration_ms": …, data…}}}`.
///
/// With `withheld`, only the statuses: `{"status": …, "checks": {name:
/// {"status": …}}}`, a failing check's entry adding `"message": "reason
/// withheld"`.
///
/// `"excluded_unknown": [names…]` follows when a request asked to exclude
/// checks that the probe does not have.
pub(crate) fn probe_body_noting(
    report: &Report,
    withheld: bool,
    excluded_unknown: &[String],
) -> Vec<u8> {
    // Room for the usual body: a check's entry takes about 50 bytes.
    let capacity = 64 + 64 * report.checks().len();
    to_vec(
        &ProbeBody {
            report,
            withheld,
            excluded_unknown,
        },
        capacity,
    )
}

/// `{"status": …, …base, …contributions}`: the base's keys first, then each
/// contribution's keys that are not yet taken.
pub(crate) fn environ_body(status: bool, merged: &Map<String, Value>) -> Vec<u8> {
    to_vec(&EnvironBody { status, merged }, 1024)
}

/// A small JSON object for answers that are not a probe's: errors.
pub(crate) fn object(pairs: &[(&str, Value)]) -> Vec<u8> {
    to_vec(&Object(pairs), 128)
}

/// `value` as JSON, written into a buffer of `capacity` bytes to begin with.
fn to_vec(value: &impl Serialize, capacity: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(capacity);
    // Serializing maps with string keys and JSON values into memory cannot
    // fail; should it ever, an empty object keeps the answer valid JSON.
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => body,
        Err(_) => b"{}".to_vec(),
    }
}

struct ProbeBody<'a> {
    report: &'a Report,
    withheld: bool,
    excluded_unknown: &'a [String],
}

impl Serialize for ProbeBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let noted = !self.excluded_unknown.is_empty();
        let degraded = self.report.degraded();
        let fields = 2 + usize::from(noted) + usize::from(degraded);
        let mut body = serializer.serialize_struct("Probe", fields)?;
        body.serialize_field("status", &self.report.status())?;
        // Only when a check that is not critical fails and the probe passes.
        if degraded {
            body.serialize_field("degraded", &true)?;
        }
        let checks = Checks {
            checks: self.report.checks(),
            withheld: self.withheld,
        };
        body.serialize_field("checks", &checks)?;
        if noted {
            body.serialize_field("excluded_unknown", self.excluded_unknown)?;
        }
        body.end()
    }
}

struct Checks<'a> {
    checks: &'a [CheckReport],
    withheld: bool,
}

impl Serialize for Checks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.checks.len()))?;
        for check in self.checks {
            let entry = Entry {
                check,
                withheld: self.withheld,
            };
            map.serialize_entry(check.name(), &entry)?;
        }
        map.end()
    }
}

struct Entry<'a> {
    check: &'a CheckReport,
    withheld: bool,
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let check = self.check;
        // `critical`, and the runs in a row of a check with thresholds.
        let policy = check.policy_keys();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &check.status())?;
        if !check.critical() {
            map.serialize_entry("critical", &false)?;
        }
        if self.withheld {
            if !check.status() {
                map.serialize_entry("message", WITHHELD)?;
            }
            return map.end();
        }
        map.serialize_entry("duration_ms", &check.duration_ms())?;
        for (key, value) in policy.iter().filter(|(key, _)| *key != "critical") {
            map.serialize_entry(key, value)?;
        }
        for (key, value) in check.data() {
            let taken = policy.iter().any(|(policy_key, _)| policy_key == key);
            if !RESERVED.contains(&key.as_str()) && !taken {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

struct EnvironBody<'a> {
    status: bool,
    merged: &'a Map<String, Value>,
}

impl Serialize for EnvironBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        for (key, value) in self.merged {
            if key != "status" {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

struct Object<'a>(&'a [(&'a str, Value)]);

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{outcome::Outcome, probe::Probe};

    fn probe_body(report: &Report) -> Vec<u8> {
        probe_body_noting(report, false, &[])
    }

    fn probe_statuses(report: &Report) -> Vec<u8> {
        probe_body_noting(report, true, &[])
    }

    fn check(name: &str, outcome: Outcome, micros: u64) -> CheckReport {
        CheckReport::new(Arc::from(name), outcome, Duration::from_micros(micros))
    }

    #[test]
    fn no_checks_is_a_passing_empty_object() {
        let report = Report::new(Probe::Readiness, Vec::new());
        assert_eq!(probe_body(&report), br#"{"status":true,"checks":{}}"#);
    }

    #[test]
    fn status_is_the_and_of_the_checks_and_the_check_status_wins() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("cache", Outcome::pass().with("status", false), 400),
                check("database", Outcome::fail("connection refused"), 1250),
            ],
        );
        let body = String::from_utf8(probe_body(&report)).unwrap();
        assert_eq!(
            body,
            concat!(
                r#"{"status":false,"checks":{"#,
                r#""cache":{"status":true,"duration_ms":0.4},"#,
                r#""database":{"status":false,"duration_ms":1.25,"message":"connection refused"}}}"#
            )
        );
    }

    #[test]
    fn measured_duration_wins_over_data() {
        let report = Report::new(
            Probe::Liveness,
            vec![check(
                "a",
                Outcome::pass().with("duration_ms", "soon"),
                2000,
            )],
        );
        let body: Value = serde_json::from_slice(&probe_body(&report)).unwrap();
        assert_eq!(body["checks"]["a"]["duration_ms"], Value::from(2.0));
    }

    #[test]
    fn withheld_details_keep_every_status() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("cache", Outcome::pass().with("latency_ms", 0.4), 400),
                check(
                    "database",
                    Outcome::fail("password rejected for admin"),
                    1250,
                ),
            ],
        );
        let body = String::from_utf8(probe_statuses(&report)).unwrap();
        assert_eq!(
            body,
            concat!(
                r#"{"status":false,"checks":{"#,
                r#""cache":{"status":true},"#,
                r#""database":{"status":false,"message":"reason withheld"}}}"#
            )
        );
    }

    #[test]
    fn environ_status_cannot_be_overwritten() {
        let mut merged = Map::new();
        merged.insert("status".into(), Value::from(true));
        merged.insert("rust".into(), Value::from(vec![1, 85, 0]));
        let body = String::from_utf8(environ_body(false, &merged)).unwrap();
        assert_eq!(body, r#"{"status":false,"rust":[1,85,0]}"#);
    }
}
