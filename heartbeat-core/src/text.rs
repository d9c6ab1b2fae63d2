//! The `text/plain` body, in the manner of Kubernetes' own `/readyz` and
//! `/livez`: `ok` when all is well, else a line per check and a verdict.
//!
//! ```text
//! [+]cache ok
//! [-]database failed: connection refused
//! readiness check failed
//! ```

use std::fmt::Write;

use crate::{access::WITHHELD, report::Report};

/// The body for `report`.
///
/// A passing probe answers `ok`, unless `verbose` asks for the lines; a
/// failing one, or a passing one with a failing check that is not critical,
/// always shows them. Each line is `[+]name ok` or
/// `[-]name failed: reason` (the reason reading `reason withheld` when
/// `withheld`), and a verdict, `<probe> check passed` or `failed`, ends
/// them. Each name of `unknown` (asked to be excluded, naming no check) is a
/// `warn:` line first.
pub(crate) fn text_body(
    report: &Report,
    verbose: bool,
    withheld: bool,
    unknown: &[String],
) -> Vec<u8> {
    let mut body = String::new();
    for name in unknown {
        // Debug quoting keeps a name's line breaks from starting new lines.
        let _ = writeln!(body, "warn: no check named {name:?} to exclude");
    }

    if report.status() && !report.degraded() && !verbose {
        body.push_str("ok");
        return body.into_bytes();
    }

    for check in report.checks() {
        if check.status() {
            let _ = writeln!(body, "[+]{} ok", check.name());
            continue;
        }
        let reason = if withheld {
            Some(WITHHELD)
        } else {
            check.outcome().message()
        };
        match reason {
            Some(reason) => {
                let reason = reason.replace(['\r', '\n'], " ");
                let _ = writeln!(body, "[-]{} failed: {reason}", check.name());
            }
            None => {
                let _ = writeln!(body, "[-]{} failed", check.name());
            }
        }
    }
    let verdict = if report.status() { "passed" } else { "failed" };
    let _ = writeln!(body, "{} check {verdict}", report.probe());
    body.into_bytes()
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{outcome::Outcome, probe::Probe, report::CheckReport};

    fn check(name: &str, outcome: Outcome) -> CheckReport {
        CheckReport::new(Arc::from(name), outcome, Duration::from_millis(1))
    }

    fn text(report: &Report, verbose: bool, withheld: bool, unknown: &[&str]) -> String {
        let unknown: Vec<String> = unknown.iter().map(|name| name.to_string()).collect();
        String::from_utf8(text_body(report, verbose, withheld, &unknown)).unwrap()
    }

    #[test]
    fn a_passing_probe_says_ok() {
        let report = Report::new(Probe::Readiness, vec![check("cache", Outcome::pass())]);
        assert_eq!(text(&report, false, false, &[]), "ok");
        assert_eq!(
            text(&report, true, false, &[]),
            "[+]cache ok\nreadiness check passed\n"
        );
        let empty = Report::new(Probe::Liveness, Vec::new());
        assert_eq!(text(&empty, true, false, &[]), "liveness check passed\n");
    }

    #[test]
    fn a_failing_probe_shows_every_check() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("cache", Outcome::pass()),
                check("database", Outcome::fail("connection refused\nby peer")),
                check("queue", Outcome::from_status(false)),
            ],
        );
        let expected = "[+]cache ok\n[-]database failed: connection refused by peer\n[-]queue failed\nreadiness check failed\n";
        assert_eq!(text(&report, false, false, &[]), expected);
        assert_eq!(text(&report, true, false, &[]), expected);
        assert_eq!(
            text(&report, false, true, &[]),
            "[+]cache ok\n[-]database failed: reason withheld\n[-]queue failed: reason withheld\nreadiness check failed\n"
        );
    }

    #[test]
    fn a_failing_check_that_is_not_critical_shows_its_line() {
        let report = Report::new(
            Probe::Readiness,
            vec![
                check("cache", Outcome::fail("evicting")).critical_as(false),
                check("database", Outcome::pass()),
            ],
        );
        assert_eq!(
            text(&report, false, false, &[]),
            "[-]cache failed: evicting\n[+]database ok\nreadiness check passed\n"
        );
    }

    #[test]
    fn unknown_exclusions_are_warnings() {
        let report = Report::new(Probe::Startup, Vec::new());
        assert_eq!(
            text(&report, false, false, &["nope", "line\nbreak"]),
            "warn: no check named \"nope\" to exclude\nwarn: no check named \"line\\nbreak\" to exclude\nok"
        );
    }
}
