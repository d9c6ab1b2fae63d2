//! The `application/health+json` body: the IETF draft "Health Check
//! Response Format for HTTP APIs" (draft-inadarei-api-health-check).
//!
//! ```json
//! {
//!   "status": "fail",
//!   "output": "failing: database",
//!   "checks": {
//!     "cache:responseTime": [{
//!       "componentId": "cache", "componentType": "component",
//!       "observedValue": 0.4, "observedUnit": "ms",
//!       "status": "pass", "time": "2026-05-01T12:00:00.000Z"
//!     }],
//!     "database:responseTime": [{ "...": "...", "status": "fail", "output": "connection refused" }]
//!   }
//! }
//! ```
//!
//! Each check is a component whose measurement is its response time: the
//! key is `<name>:responseTime`, and the one element of its array holds the
//! check's name as `componentId`, its duration in milliseconds, its status
//! and when it started. The check's own data is left to the contract's
//! `application/json` body.
//!
//! A probe that passes although a check that is not critical fails is
//! `warn`, as is such a check itself, and one whose latest run failed while a
//! threshold still holds it passing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer, ser::SerializeMap};

use crate::{
    access::WITHHELD,
    report::{CheckReport, Report},
};

/// The body for `report`. With `withheld`, durations and messages are left
/// out and a failing check's `output` reads `reason withheld`. `unknown`
/// are the names a request asked to exclude that name no check; each is a
/// note.
pub(crate) fn health_body(report: &Report, withheld: bool, unknown: &[String]) -> Vec<u8> {
    let body = Body {
        report,
        withheld,
        unknown,
    };
    // As for the contract's body: serializing into memory cannot fail.
    serde_json::to_vec(&body).unwrap_or_else(|_| br#"{"status":"fail"}"#.to_vec())
}

/// A probe's status in the draft's terms: `warn` when it passes although a
/// check that is not critical fails.
fn probe_status(report: &Report) -> &'static str {
    if !report.status() {
        "fail"
    } else if report.degraded() {
        "warn"
    } else {
        "pass"
    }
}

/// A check's status in the draft's terms: `warn` when it fails without
/// failing its probe (it is not critical), or when its latest run failed
/// but a threshold still holds it passing.
fn check_status(check: &CheckReport) -> &'static str {
    match (check.status(), check.outcome().status(), check.critical()) {
        (true, true, _) => "pass",
        (true, false, _) | (false, _, false) => "warn",
        (false, _, true) => "fail",
    }
}

struct Body<'a> {
    report: &'a Report,
    withheld: bool,
    unknown: &'a [String],
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.report;
        let mut map = serializer.serialize_map(None)?;
        let status = probe_status(report);
        map.serialize_entry("status", status)?;
        if status != "pass" {
            let failing: Vec<&str> = report.failing().collect();
            map.serialize_entry("output", &format!("failing: {}", failing.join(", ")))?;
        }
        if !self.unknown.is_empty() {
            let notes: Vec<String> = self
                .unknown
                .iter()
                .map(|name| format!("no check named {name:?} to exclude"))
                .collect();
            map.serialize_entry("notes", &notes)?;
        }
        map.serialize_entry(
            "checks",
            &Checks {
                checks: report.checks(),
                withheld: self.withheld,
            },
        )?;
        map.end()
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
            let component = Component {
                check,
                withheld: self.withheld,
            };
            map.serialize_entry(&format!("{}:responseTime", check.name()), &[component])?;
        }
        map.end()
    }
}

struct Component<'a> {
    check: &'a CheckReport,
    withheld: bool,
}

impl Serialize for Component<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let check = self.check;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("componentId", check.name())?;
        map.serialize_entry("componentType", "component")?;
        if !self.withheld {
            map.serialize_entry("observedValue", &check.duration_ms())?;
            map.serialize_entry("observedUnit", "ms")?;
        }
        let status = check_status(check);
        map.serialize_entry("status", status)?;
        map.serialize_entry("time", &rfc3339(check.ran_at()))?;
        if status != "pass" {
            let output = if self.withheld {
                Some(WITHHELD)
            } else {
                check.outcome().message()
            };
            if let Some(output) = output {
                map.serialize_entry("output", output)?;
            }
        }
        map.end()
    }
}

/// `2026-05-01T12:00:00.123Z`: the time in UTC to the millisecond, as RFC
/// 3339 writes it. A clock outside the years 1970 to 9999 reads as the
/// nearest of them, so that a wrong clock cannot fail an answer.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let last = UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
    humantime::format_rfc3339_millis(time.clamp(UNIX_EPOCH, last)).to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::*;
    use crate::{outcome::Outcome, probe::Probe};

    fn at(seconds: u64, millis: u64) -> String {
        rfc3339(UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_millis(millis))
    }

    #[test]
    fn times_read_as_rfc3339() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(at(1_516_160_208, 0), "2018-01-17T03:36:48.000Z");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z");
        assert_eq!(at(253_402_300_799, 0), "9999-12-31T23:59:59.000Z");
        assert_eq!(at(253_402_300_800, 0), "9999-12-31T23:59:59.999Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    fn report() -> Report {
        Report::new(
            Probe::Readiness,
            vec![
                CheckReport::new(
                    Arc::from("cache"),
                    Outcome::pass().with("latency_ms", 0.4),
                    Duration::from_micros(400),
                ),
                CheckReport::new(
                    Arc::from("database"),
                    Outcome::fail("connection refused"),
                    Duration::from_micros(1250),
                ),
            ],
        )
    }

    fn without_times(body: &[u8]) -> Value {
        let mut value: Value = serde_json::from_slice(body).unwrap();
        for components in value["checks"].as_object_mut().unwrap().values_mut() {
            for component in components.as_array_mut().unwrap() {
                let time = component["time"].take();
                assert!(time.as_str().unwrap().ends_with('Z'), "{time}");
            }
        }
        value
    }

    #[test]
    fn checks_are_components_measured_by_response_time() {
        let body = health_body(&report(), false, &[]);
        assert_eq!(
            without_times(&body),
            json!({
                "status": "fail",
                "output": "failing: database",
                "checks": {
                    "cache:responseTime": [{
                        "componentId": "cache",
                        "componentType": "component",
                        "observedValue": 0.4,
                        "observedUnit": "ms",
                        "status": "pass",
                        "time": null,
                    }],
                    "database:responseTime": [{
                        "componentId": "database",
                        "componentType": "component",
                        "observedValue": 1.25,
                        "observedUnit": "ms",
                        "status": "fail",
                        "time": null,
                        "output": "connection refused",
                    }],
                },
            })
        );
    }

    #[test]
    fn withheld_details_leave_out_durations_and_reasons() {
        let body = health_body(&report(), true, &["nope".to_owned()]);
        let value = without_times(&body);
        assert_eq!(
            value["notes"],
            json!(["no check named \"nope\" to exclude"])
        );
        let database = &value["checks"]["database:responseTime"][0];
        assert_eq!(database["output"], "reason withheld");
        assert!(database.get("observedValue").is_none());
        assert!(
            value["checks"]["cache:responseTime"][0]
                .get("output")
                .is_none()
        );
    }

    #[test]
    fn a_check_that_is_not_critical_warns() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                CheckReport::new(
                    Arc::from("cache"),
                    Outcome::fail("evicting"),
                    Duration::from_micros(400),
                )
                .critical_as(false),
            ],
        );
        let value = without_times(&health_body(&report, false, &[]));
        assert_eq!(value["status"], "warn");
        assert_eq!(value["output"], "failing: cache");
        let cache = &value["checks"]["cache:responseTime"][0];
        assert_eq!(cache["status"], "warn");
        assert_eq!(cache["output"], "evicting");
    }

    #[test]
    fn no_checks_is_a_pass() {
        let report = Report::new(Probe::Liveness, Vec::new());
        assert_eq!(
            health_body(&report, false, &[]),
            br#"{"status":"pass","checks":{}}"#
        );
    }
}
