//! HTTP upstreams through reqwest, and the cluster health of Elasticsearch
//! or OpenSearch.

use std::{fmt, ops::RangeInclusive, sync::OnceLock, time::Instant};

use heartbeat_core::{BoxFuture, Check, Outcome};
use reqwest::{Client, Response, Url};
use serde_json::Value;

use crate::{Named, latency_ms, redact::Redactor};

/// Checks an HTTP upstream with a `GET`: passes when the answer's status is
/// one expected (any 2xx unless told otherwise).
///
/// Give it the application's [`Client`] with [`client`](Self::client), so
/// that the check shares its connection pool, proxies and TLS settings;
/// otherwise the check builds a client of its own on its first run, with
/// reqwest's defaults and rustls. Credentials in the URL's user information
/// are sent as basic authentication and never shown: messages name the
/// upstream by scheme, host and port only.
///
/// On success the data holds `http_status` and `latency_ms` (until the
/// status line and headers arrive; the body is not read).
///
/// ```no_run
/// use heartbeat_checks::HttpCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example(client: reqwest::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let payments = HttpCheck::new("https://payments.internal/health".parse()?)
///     .client(client.clone())
///     .expect_status(200..=299);
///
/// let heartbeat = Heartbeat::builder().readiness("payments", payments).build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct HttpCheck {
    upstream: Upstream,
    expected: RangeInclusive<u16>,
}

impl HttpCheck {
    /// A check of `url`, expecting a 2xx answer.
    pub fn new(url: Url) -> Self {
        Self {
            upstream: Upstream::new(url),
            expected: 200..=299,
        }
    }

    /// Sends the requests through `client`, the application's, instead of
    /// a client of the check's own.
    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.upstream.client = Some(client);
        self
    }

    /// Passes on the statuses in `statuses`: `200..=399` accepts redirects
    /// too, `204..=204` only 204.
    #[must_use]
    pub fn expect_status(mut self, statuses: RangeInclusive<u16>) -> Self {
        self.expected = statuses;
        self
    }

    async fn check(&self) -> Outcome {
        let (response, latency) = match self.upstream.get(self.upstream.url.clone()).await {
            Ok(answer) => answer,
            Err(message) => return Outcome::fail(message),
        };

        let status = response.status().as_u16();
        let outcome = if self.expected.contains(&status) {
            Outcome::pass()
        } else {
            Outcome::fail(format!(
                "answered {} where {}..={} was expected",
                response.status(),
                self.expected.start(),
                self.expected.end()
            ))
        };
        outcome
            .with("http_status", status)
            .with("latency_ms", latency)
    }
}

impl Check for HttpCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for HttpCheck {
    fn default_name(&self) -> String {
        self.upstream
            .url
            .host_str()
            .filter(|host| !host.is_empty())
            .unwrap_or("http")
            .to_owned()
    }
}

impl fmt::Debug for HttpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpCheck")
            .field("upstream", &self.upstream)
            .field("expected", &self.expected)
            .finish()
    }
}

/// Checks an Elasticsearch or OpenSearch cluster with `GET _cluster/health`:
/// `green` passes, `yellow` passes unless [`fail_on_yellow`] says otherwise,
/// `red` fails.
///
/// Clients and credentials work as for [`HttpCheck`]. The data holds
/// `cluster_name`, `cluster_status`, `number_of_nodes`,
/// `number_of_data_nodes`, `active_shards_percent`, `unassigned_shards` and
/// `latency_ms`.
///
/// [`fail_on_yellow`]: Self::fail_on_yellow
///
/// ```no_run
/// use heartbeat_checks::ElasticsearchCheck;
/// use heartbeat_core::Heartbeat;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let search = ElasticsearchCheck::new("http://elastic:changeme@127.0.0.1:9200".parse()?);
///
/// let heartbeat = Heartbeat::builder().readiness("search", search).build()?;
/// # let _ = heartbeat;
/// # Ok(())
/// # }
/// ```
pub struct ElasticsearchCheck {
    upstream: Upstream,
    fail_on_yellow: bool,
}

impl ElasticsearchCheck {
    /// A check of the cluster at `base`, the URL the application's client
    /// is configured with (`http://es:9200`, or with a path prefix).
    pub fn new(base: Url) -> Self {
        let mut url = base;
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(["_cluster", "health"]);
        }
        Self {
            upstream: Upstream::new(url),
            fail_on_yellow: false,
        }
    }

    /// Sends the requests through `client`, the application's, instead of
    /// a client of the check's own.
    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.upstream.client = Some(client);
        self
    }

    /// Fails on `yellow` too: some replica shards are not allocated, so
    /// the cluster holds every document but loses some if a node fails.
    #[must_use]
    pub fn fail_on_yellow(mut self) -> Self {
        self.fail_on_yellow = true;
        self
    }

    async fn check(&self) -> Outcome {
        let (response, latency) = match self.upstream.get(self.upstream.url.clone()).await {
            Ok(answer) => answer,
            Err(message) => return Outcome::fail(message),
        };
        if !response.status().is_success() {
            return Outcome::fail(format!("cluster health answered {}", response.status()))
                .with("http_status", response.status().as_u16())
                .with("latency_ms", latency);
        }

        let health: Value = match response
            .bytes()
            .await
            .map(|body| serde_json::from_slice::<Value>(&body))
        {
            Ok(Ok(health)) => health,
            Ok(Err(error)) => {
                return Outcome::fail(format!("cluster health is not JSON: {error}"));
            }
            Err(error) => {
                let message = self.upstream.redactor.error(&error.without_url());
                return Outcome::fail(format!("reading cluster health failed: {message}"));
            }
        };

        let status = health["status"].as_str().unwrap_or_default();
        let outcome = match status {
            "green" => Outcome::pass(),
            "yellow" if !self.fail_on_yellow => Outcome::pass(),
            "yellow" => Outcome::fail("the cluster is yellow: some replica shards are unassigned"),
            "red" => Outcome::fail("the cluster is red: some primary shards are unassigned"),
            _ => Outcome::fail("cluster health holds no known status"),
        };

        let mut outcome = outcome
            .with("cluster_status", status)
            .with("latency_ms", latency);
        for (key, field) in [
            ("cluster_name", "cluster_name"),
            ("number_of_nodes", "number_of_nodes"),
            ("number_of_data_nodes", "number_of_data_nodes"),
            ("active_shards_percent", "active_shards_percent_as_number"),
            ("unassigned_shards", "unassigned_shards"),
        ] {
            if let Some(value) = health.get(field) {
                outcome = outcome.with(key, value.clone());
            }
        }
        outcome
    }
}

impl Check for ElasticsearchCheck {
    fn run(&self) -> BoxFuture<'_, Outcome> {
        Box::pin(self.check())
    }
}

impl Named for ElasticsearchCheck {
    fn default_name(&self) -> String {
        "elasticsearch".to_owned()
    }
}

impl fmt::Debug for ElasticsearchCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElasticsearchCheck")
            .field("upstream", &self.upstream)
            .field("fail_on_yellow", &self.fail_on_yellow)
            .finish()
    }
}

/// Where a check sends its request, and through which client.
struct Upstream {
    url: Url,
    client: Option<Client>,
    own_client: OnceLock<Result<Client, String>>,
    redactor: Redactor,
}

impl Upstream {
    fn new(url: Url) -> Self {
        let redactor = Redactor::new().url(url.as_str());
        Self {
            url,
            client: None,
            own_client: OnceLock::new(),
            redactor,
        }
    }

    /// The application's client, or the check's own.
    fn client(&self) -> Result<&Client, String> {
        if let Some(client) = &self.client {
            return Ok(client);
        }
        self.own_client
            .get_or_init(|| {
                Client::builder()
                    .build()
                    .map_err(|error| self.redactor.error(&error))
            })
            .as_ref()
            .map_err(|message| format!("could not build an HTTP client: {message}"))
    }

    /// Sends `GET url`; the response, and how long its head took to arrive.
    async fn get(&self, url: Url) -> Result<(Response, f64), String> {
        let client = self.client()?;
        let started = Instant::now();
        match client.get(url).send().await {
            Ok(response) => Ok((response, latency_ms(started.elapsed()))),
            Err(error) => Err(format!(
                "request to {} failed: {}",
                self.redactor.redact(self.url.as_str()),
                self.redactor.error(&error.without_url())
            )),
        }
    }
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("url", &self.redactor.redact(self.url.as_str()))
            .field("own_client", &self.client.is_none())
            .finish()
    }
}
