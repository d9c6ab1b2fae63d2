//! Who may see what: an endpoint can be turned off or kept for authorized
//! requests, and a probe's details kept from requests that may not see them.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
};

use http::header;

use crate::{endpoint::Request, probe::Probe, report::Report};

/// An application's rule deciding whether a request is authorized, such as
/// one checking a bearer token.
///
/// ```
/// use heartbeat_core::{Authorize, Request};
///
/// let from_the_mesh = Authorize::new(|request: &Request<'_>| {
///     request
///         .header_map()
///         .is_some_and(|headers| headers.contains_key("x-internal"))
/// });
/// let operators = Authorize::bearer("s3cr3t");
/// # let _ = (from_the_mesh, operators);
/// ```
#[derive(Clone)]
pub struct Authorize(Arc<dyn Fn(&Request<'_>) -> bool + Send + Sync>);

impl Authorize {
    /// Authorizes the requests for which `rule` returns `true`.
    pub fn new(rule: impl Fn(&Request<'_>) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(rule))
    }

    /// Authorizes the requests carrying `Authorization: Bearer <token>`.
    ///
    /// The token is compared in time independent of where it differs. An
    /// empty token authorizes nothing, so that an unset secret does not open
    /// the endpoint.
    pub fn bearer(token: impl Into<String>) -> Self {
        let token = token.into();
        Self::new(move |request| {
            let Some(headers) = request.header_map() else {
                return false;
            };
            !token.is_empty()
                && headers
                    .get_all(header::AUTHORIZATION)
                    .iter()
                    .filter_map(|value| bearer_token(value.as_bytes()))
                    .any(|given| same_secret(given, token.as_bytes()))
        })
    }

    /// Whether the rule authorizes `request`.
    pub fn allows(&self, request: &Request<'_>) -> bool {
        (self.0)(request)
    }
}

impl fmt::Debug for Authorize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorize(..)")
    }
}

/// Who may reach an endpoint; see
/// [`HeartbeatBuilder::access`](crate::HeartbeatBuilder::access).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Access {
    /// Anyone: the default.
    #[default]
    Public,
    /// Nobody: the endpoint answers 404 as an unknown path does, and the 404
    /// body no longer lists it.
    Disabled,
    /// The requests the rule authorizes; others get 403 with a JSON error
    /// and nothing of the endpoint's content.
    Authorized(Authorize),
}

/// How much of a probe's findings a request sees; see
/// [`HeartbeatBuilder::details`](crate::HeartbeatBuilder::details).
///
/// Whatever the policy, the status code and every `status` stay as they
/// are: only messages and data are withheld.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Details {
    /// Everything: each check's data, message and duration. The default.
    #[default]
    Full,
    /// The overall `status` and each check's `status`; a failing check's
    /// `message` reads `reason withheld`, and the real reason is logged. On
    /// the environ page, only `status`.
    StatusOnly,
    /// Everything for the requests the rule authorizes, [`StatusOnly`]
    /// for the others.
    ///
    /// [`StatusOnly`]: Details::StatusOnly
    Authorized(Authorize),
}

impl Details {
    /// Whether `request` sees everything.
    pub(crate) fn shows_all(&self, request: &Request<'_>) -> bool {
        match self {
            Details::Full => true,
            Details::StatusOnly => false,
            Details::Authorized(rule) => rule.allows(request),
        }
    }
}

/// What a failing check's message reads when its reason is withheld.
pub(crate) const WITHHELD: &str = "reason withheld";

/// The reasons last logged for failing checks whose reasons were withheld,
/// so that a check failing for the same reason request after request is
/// logged once, and again when its reason changes or after it recovers.
#[derive(Debug, Default)]
pub(crate) struct WithheldReasons {
    logged: Mutex<HashMap<(Probe, String), String>>,
}

impl WithheldReasons {
    /// Logs the reason of each failing check of `report` that is not logged
    /// yet, and forgets the checks that pass.
    pub(crate) fn log(&self, report: &Report) {
        let mut logged = self
            .logged
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for check in report.checks() {
            let key = (report.probe(), check.name().to_owned());
            if check.status() {
                logged.remove(&key);
                continue;
            }
            let reason = check.outcome().message().unwrap_or("no message");
            if logged.get(&key).map(String::as_str) != Some(reason) {
                tracing::warn!(
                    target: "heartbeat",
                    probe = report.probe().name(),
                    check = check.name(),
                    reason,
                    "check is failing; its reason is withheld from the response"
                );
                logged.insert(key, reason.to_owned());
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is
/// matched without regard to case.
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || !rest.starts_with(b" ") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// Compares two secrets in time that depends on their lengths only.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;

    fn request_with(headers: &HeaderMap) -> Request<'_> {
        Request::new("GET", "/.well-known/heartbeat/environ").headers(headers)
    }

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer_token(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_token(b"bearer   abc "), Some(&b"abc"[..]));
        assert_eq!(bearer_token(b"Basic abc"), None);
        assert_eq!(bearer_token(b"Bearerabc"), None);
        assert_eq!(bearer_token(b"Bearer "), None);
        assert_eq!(bearer_token(b"Bear"), None);
    }

    #[test]
    fn only_the_right_token_is_authorized() {
        let rule = Authorize::bearer("s3cr3t");
        let mut headers = HeaderMap::new();
        assert!(!rule.allows(&request_with(&headers)));
        assert!(!rule.allows(&Request::new("GET", "/")));

        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cr3"),
        );
        assert!(!rule.allows(&request_with(&headers)));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cr3t"),
        );
        assert!(rule.allows(&request_with(&headers)));
    }

    #[test]
    fn an_empty_token_authorizes_nobody() {
        let rule = Authorize::bearer("");
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(!rule.allows(&request_with(&headers)));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
