//! Answering a probe's request: which of its checks run, and in which
//! format the answer is written.

use std::sync::Arc;

use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

use crate::{
    Heartbeat,
    endpoint::{Request, Response, json, respond},
    health_json::health_body,
    negotiate::Format,
    probe::Probe,
    query::{ProbeQuery, percent_decode},
    render,
    report::Report,
    text::text_body,
};

impl Heartbeat {
    /// Answers `GET` or `HEAD` on a probe other than environ, or on one of
    /// its checks when `check` (as the path gives it) is set, once the
    /// request may see it. `shows_all` is what the details policy decided.
    pub(crate) async fn answer_probe(
        &self,
        request: &Request<'_>,
        probe: Probe,
        check: Option<&str>,
        shows_all: bool,
        head: bool,
    ) -> Response {
        let query = ProbeQuery::parse(request.query_str());
        let format = Format::from_headers(request.header_map());

        // The checks this request is about: one, or all but those excluded.
        // Names to exclude that name no check are noted in the answer.
        let has = |name: &str| self.check_names(probe).any(|known| known == name);
        let (only, excluded, unknown) = match check {
            Some(check) => {
                let name = percent_decode(check);
                if !has(&name) {
                    return self.unknown_check(probe, &name, head);
                }
                (Some(name), Vec::new(), Vec::new())
            }
            None => {
                let (excluded, unknown) = query.exclude.into_iter().partition(|name| has(name));
                (None, excluded, unknown)
            }
        };
        let keep = |name: &str| match &only {
            Some(only) => name == only,
            None => !excluded.iter().any(|excluded| excluded == name),
        };
        let report = if only.is_none() && excluded.is_empty() {
            self.report(probe).await
        } else {
            self.run_only(probe, keep).await
        };

        if !shows_all {
            self.withheld().log(&report);
        }
        let status = if report.status() {
            StatusCode::OK
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        let withheld = !shows_all;
        let body = match format {
            Format::Json => render::probe_body_noting(&report, withheld, &unknown),
            Format::HealthJson => health_body(&report, withheld, &unknown),
            Format::Text => text_body(&report, query.verbose, withheld, &unknown),
        };

        let mut response = respond(status, format.content_type(), body, head);
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept"));
        response
    }

    /// Runs only the checks of `probe` whose names `keep` accepts, for this
    /// request alone: the probe's kept report is neither used nor replaced,
    /// and its state (passing or failing) does not change. Check policies
    /// and the service state apply as to the whole probe.
    async fn run_only(&self, probe: Probe, keep: impl Fn(&str) -> bool) -> Arc<Report> {
        self.probe_run(probe).report_only(keep).await
    }

    /// 404 for a check the probe does not have, listing those it has.
    fn unknown_check(&self, probe: Probe, name: &str, head: bool) -> Response {
        let checks: Vec<Value> = self.check_names(probe).map(Value::from).collect();
        let body = render::object(&[
            (
                "error",
                Value::from(format!("{probe} has no check named {name:?}")),
            ),
            ("checks", Value::from(checks)),
        ]);
        json(StatusCode::NOT_FOUND, body, head)
    }
}
