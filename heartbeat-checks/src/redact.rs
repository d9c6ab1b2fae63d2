//! Keeping credentials out of what a check reports.
//!
//! A probe's body is read by whoever can reach the endpoint, and error texts
//! of client libraries sometimes quote the URL they were given, password and
//! all. Every failure message of this crate passes through a [`Redactor`].

/// What stands in for a removed secret.
const HIDDEN: &str = "[redacted]";

/// Removes secrets from text before it is shown in a probe's body.
///
/// It always hides the user information and the query of every URL in the
/// text (`postgres://app:pw@db/x?sslpassword=y` becomes
/// `postgres://[redacted]@db/x?[redacted]`); told of a configured URL, it
/// also replaces that URL with its scheme, host and port, and hides its
/// password wherever else it appears.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Text to replace, with what replaces it; longest first, so that a
    /// whole URL goes before the password inside it.
    replacements: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor that knows of no configured secret yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Replaces `text` with `replacement` wherever it appears.
    #[cfg_attr(
        not(any(
            feature = "postgres",
            feature = "mysql",
            feature = "sqlite",
            feature = "http"
        )),
        allow(dead_code, reason = "only the SQL and HTTP checks know their URLs")
    )]
    fn push(&mut self, text: String, replacement: String) {
        if text.is_empty() || self.replacements.iter().any(|(known, _)| *known == text) {
            return;
        }
        self.replacements.push((text, replacement));
        self.replacements
            .sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    }

    /// `text` with every known secret and every URL's credentials removed.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (secret, replacement) in &self.replacements {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), replacement);
            }
        }
        hide_url_credentials(&text)
    }

    /// The text of `error` and of each error that caused it, redacted.
    pub(crate) fn error(&self, error: &(dyn std::error::Error + 'static)) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        self.redact(&text)
    }
}

/// Replaces the user information and the query of each URL in `text`.
fn hide_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;

    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        out.push_str("://");
        let after = &after[3..];

        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(after.len());
        let (url, tail) = after.split_at(end);
        out.push_str(&hide_in_url_body(url));
        rest = tail;
    }

    out.push_str(rest);
    out
}

/// `user:pw@host/path?query#fragment` → `[redacted]@host/path?[redacted]#fragment`.
fn hide_in_url_body(body: &str) -> String {
    let authority_end = body.find(['/', '?', '#']).unwrap_or(body.len());
    let (authority, path) = body.split_at(authority_end);

    let mut out = String::with_capacity(body.len());
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(HIDDEN);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }

    match path.find('?') {
        Some(query) => {
            out.push_str(&path[..=query]);
            out.push_str(HIDDEN);
            if let Some(fragment) = path[query..].find('#') {
                out.push_str(&path[query + fragment..]);
            }
        }
        None => out.push_str(path),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_url_loses_its_credentials_and_query() {
        let redactor = Redactor::new();
        assert_eq!(
            redactor.redact("cannot reach postgres://app:pw@db:5432/x?sslpassword=y now"),
            "cannot reach postgres://[redacted]@db:5432/x?[redacted] now"
        );
        assert_eq!(
            redactor.redact("error for url (http://u:p@h/a#f)"),
            "error for url (http://[redacted]@h/a#f)"
        );
        assert_eq!(
            redactor.redact("see \"https://example.com/a\""),
            "see \"https://example.com/a\""
        );
    }

    #[test]
    fn error_chains_are_redacted_whole() {
        let inner = std::io::Error::other("refused by http://u:pw@h");
        let outer = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, inner);
        let text = Redactor::new().error(&outer);
        assert!(!text.contains("pw"), "{text}");
    }
}

/// What a check that knows its URL adds: only the SQL and HTTP checks do.
#[cfg(any(
    feature = "postgres",
    feature = "mysql",
    feature = "sqlite",
    feature = "http"
))]
mod known_url {
    use super::{HIDDEN, Redactor};

    impl Redactor {
        /// Also hides `url`, naming it by scheme, host and port only, and
        /// its password wherever it appears.
        pub(crate) fn url(mut self, url: &str) -> Self {
            if url.is_empty() {
                return self;
            }
            if let Some(password) = password_of(url) {
                let decoded = percent_decode(password);
                self.push(password.to_owned(), HIDDEN.to_owned());
                self.push(decoded, HIDDEN.to_owned());
            }
            self.push(url.to_owned(), origin_of(url));
            self
        }
    }

    /// The password in a URL's user information, if it has one.
    fn password_of(url: &str) -> Option<&str> {
        let body = &url[url.find("://")? + 3..];
        let authority = &body[..body.find(['/', '?', '#']).unwrap_or(body.len())];
        let userinfo = &authority[..authority.rfind('@')?];
        let password = &userinfo[userinfo.find(':')? + 1..];
        (!password.is_empty()).then_some(password)
    }

    /// `scheme://user:pw@host:port/path?query` → `scheme://host:port`.
    fn origin_of(url: &str) -> String {
        let Some(scheme_end) = url.find("://") else {
            return HIDDEN.to_owned();
        };
        let body = &url[scheme_end + 3..];
        let authority = &body[..body.find(['/', '?', '#']).unwrap_or(body.len())];
        let host = match authority.rfind('@') {
            Some(at) => &authority[at + 1..],
            None => authority,
        };
        format!("{}://{host}", &url[..scheme_end])
    }

    /// Decodes `%XX` escapes; anything else is kept as it is.
    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut decoded = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let escaped = (bytes[i] == b'%')
                .then(|| bytes.get(i + 1..i + 3))
                .flatten()
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match escaped {
                Some(byte) => {
                    decoded.push(byte);
                    i += 3;
                }
                None => {
                    decoded.push(bytes[i]);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&decoded).into_owned()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_configured_url_becomes_its_origin() {
            let redactor = Redactor::new().url("amqp://guest:s3cr%21t@broker:5672/%2f");
            assert_eq!(
                redactor.redact("failed: amqp://guest:s3cr%21t@broker:5672/%2f"),
                "failed: amqp://broker:5672"
            );
        }

        #[test]
        fn a_configured_password_is_hidden_everywhere() {
            let redactor = Redactor::new().url("redis://:hunter%2542@cache:6379");
            assert_eq!(
                redactor.redact("AUTH hunter%42 rejected; raw hunter%2542"),
                "AUTH [redacted] rejected; raw [redacted]"
            );
            assert_eq!(
                password_of("redis://:hunter%2542@cache"),
                Some("hunter%2542")
            );
            assert_eq!(password_of("redis://cache:6379"), None);
            assert_eq!(password_of("redis://user@cache"), None);
        }

        #[test]
        fn escapes_decode() {
            assert_eq!(percent_decode("a%20b%2"), "a b%2");
            assert_eq!(percent_decode("%zz"), "%zz");
        }
    }
}
