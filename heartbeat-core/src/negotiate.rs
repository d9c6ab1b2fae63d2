//! Choosing the format of a probe's answer from the request's `Accept`
//! header, as HTTP's proactive negotiation describes it: media ranges,
//! wildcards, parameters and weights.

use http::{HeaderMap, header};

/// A format a probe can answer in, chosen by the request's `Accept` header.
///
/// [`Format::Json`] is the wire contract's body and the default; the others
/// are chosen only when a request prefers them. See the crate docs' section
/// on formats for a sample of each.
///
/// ```
/// use heartbeat_core::Format;
///
/// assert_eq!(Format::from_accept("application/health+json"), Format::HealthJson);
/// assert_eq!(Format::from_accept("text/plain;q=0.5, application/json"), Format::Json);
/// assert_eq!(Format::from_accept("text/*"), Format::Text);
/// // Nothing we can produce: the contract's JSON all the same.
/// assert_eq!(Format::from_accept("text/html"), Format::Json);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// `application/json`: `{"status": bool, "checks": {...}}`, the wire
    /// contract's body.
    Json,
    /// `application/health+json`: the body of the IETF draft "Health Check
    /// Response Format for HTTP APIs".
    HealthJson,
    /// `text/plain; charset=utf-8`: `ok`, or a line per check in the manner
    /// of Kubernetes' own health endpoints.
    Text,
}

impl Format {
    /// Every format, in the order preferred when a request weighs several
    /// the same.
    pub const ALL: [Format; 3] = [Format::Json, Format::HealthJson, Format::Text];

    /// The `Content-Type` of an answer in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::HealthJson => "application/health+json",
            Format::Text => "text/plain; charset=utf-8",
        }
    }

    /// The format an `Accept` header's value asks for.
    ///
    /// Each format takes the weight (`q`) of the most specific media range
    /// that matches it (`text/plain` before `text/*` before `*/*`, and a
    /// range with parameters before one without); the heaviest wins, and
    /// among equals the earlier in [`Format::ALL`]. A range whose parameters
    /// the format does not have (such as `text/plain; charset=latin1`) does
    /// not match it; ranges that cannot be parsed are skipped.
    ///
    /// When no format is acceptable (such as for `text/html` alone, or a
    /// header that cannot be parsed), the answer is [`Format::Json`]: a
    /// probe always answers, in the contract's format rather than with a
    /// 406.
    pub fn from_accept(accept: &str) -> Format {
        choose(&parse(accept))
    }

    /// The format a request's headers ask for: [`Format::from_accept`] over
    /// every `Accept` header, taken together; [`Format::Json`] without one.
    pub fn from_headers(headers: Option<&HeaderMap>) -> Format {
        let Some(headers) = headers else {
            return Format::Json;
        };
        let mut ranges = Vec::new();
        for value in headers.get_all(header::ACCEPT) {
            // A value that is not visible ASCII is not an `Accept` list.
            if let Ok(value) = value.to_str() {
                ranges.extend(parse(value));
            }
        }
        choose(&ranges)
    }

    /// What a media range is compared with: type, subtype and parameters.
    fn media_type(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) {
        // JSON has no charset parameter of its own, but it is always UTF-8,
        // and clients often ask for `application/json; charset=utf-8`.
        const UTF8: &[(&str, &str)] = &[("charset", "utf-8")];
        match self {
            Format::Json => ("application", "json", UTF8),
            Format::HealthJson => ("application", "health+json", UTF8),
            Format::Text => ("text", "plain", UTF8),
        }
    }
}

/// One element of an `Accept` list.
#[derive(Debug, PartialEq)]
struct MediaRange {
    /// Lower case; `*` for any.
    kind: String,
    /// Lower case; `*` for any.
    subtype: String,
    /// Names in lower case, values as given (unquoted).
    parameters: Vec<(String, String)>,
    /// The weight in thousandths, 0 to 1000.
    weight: u16,
}

impl MediaRange {
    /// How specific the range is, when it matches `format`; `None` when it
    /// does not.
    fn matches(&self, format: Format) -> Option<(u8, usize)> {
        let (kind, subtype, parameters) = format.media_type();
        let specificity = match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => 0,
            (k, "*") if k == kind => 1,
            (k, s) if k == kind && s == subtype => 2,
            _ => return None,
        };
        let all_present = self.parameters.iter().all(|(name, value)| {
            parameters
                .iter()
                .any(|(own, own_value)| own == name && own_value.eq_ignore_ascii_case(value))
        });
        all_present.then_some((specificity, self.parameters.len()))
    }
}

/// The heaviest acceptable format, or JSON.
fn choose(ranges: &[MediaRange]) -> Format {
    let weight = |format: Format| {
        ranges
            .iter()
            .filter_map(|range| Some((range.matches(format)?, range.weight)))
            .max_by_key(|(specificity, _)| *specificity)
            .map_or(0, |(_, weight)| weight)
    };
    let mut best = (Format::Json, 0);
    for format in Format::ALL {
        let weight = weight(format);
        if weight > best.1 {
            best = (format, weight);
        }
    }
    best.0
}

/// The media ranges of an `Accept` value that can be parsed.
fn parse(accept: &str) -> Vec<MediaRange> {
    split_outside_quotes(accept, ',')
        .filter_map(|element| media_range(element.trim()))
        .collect()
}

/// `type/subtype *( ; name=value )`, with `q` among the parameters; `None`
/// for an empty or malformed element.
fn media_range(element: &str) -> Option<MediaRange> {
    if element.is_empty() {
        return None;
    }
    let mut parts = split_outside_quotes(element, ';');
    let (kind, subtype) = parts.next()?.trim().split_once('/')?;
    if !is_token(kind) || !is_token(subtype) || (kind == "*" && subtype != "*") {
        return None;
    }

    let mut parameters = Vec::new();
    let mut weight = 1000;
    for parameter in parts
        .map(str::trim)
        .filter(|parameter| !parameter.is_empty())
    {
        let (name, value) = parameter.split_once('=')?;
        let name = name.trim_end();
        let value = value.trim_start();
        if !is_token(name) {
            return None;
        }
        let value = unquote(value)?;
        if name.eq_ignore_ascii_case("q") {
            weight = qvalue(&value)?;
            // What follows the weight are extensions, which no format has.
            break;
        }
        parameters.push((name.to_ascii_lowercase(), value));
    }

    Some(MediaRange {
        kind: kind.to_ascii_lowercase(),
        subtype: subtype.to_ascii_lowercase(),
        parameters,
        weight,
    })
}

/// `0`, `0.5`, `1.000`: at most three decimals, at most 1; in thousandths.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if !matches!(whole, "0" | "1")
        || fraction.len() > 3
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut thousandths = 0;
    for (position, digit) in fraction.bytes().enumerate() {
        thousandths += u16::from(digit - b'0') * [100, 10, 1][position];
    }
    match whole {
        "1" if thousandths > 0 => None,
        "1" => Some(1000),
        _ => Some(thousandths),
    }
}

/// A token's characters, as HTTP defines them.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A parameter's value: a token, or a quoted string with its escapes
/// undone.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return is_token(value).then(|| value.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut unquoted = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => unquoted.push(chars.next()?),
            '"' => return None,
            c => unquoted.push(c),
        }
    }
    Some(unquoted)
}

/// Splits at `separator` where it stands outside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let mut quoted = false;
        let mut escaped = false;
        for (at, c) in current.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                c if c == separator && !quoted => {
                    rest = Some(&current[at + c.len_utf8()..]);
                    return Some(&current[..at]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges_are_parsed_with_their_parameters_and_weight() {
        assert_eq!(
            parse(r#"Text/Plain ; Charset="utf-8" ;q=0.25;ext=1, */*"#),
            vec![
                MediaRange {
                    kind: "text".into(),
                    subtype: "plain".into(),
                    parameters: vec![("charset".into(), "utf-8".into())],
                    weight: 250,
                },
                MediaRange {
                    kind: "*".into(),
                    subtype: "*".into(),
                    parameters: Vec::new(),
                    weight: 1000,
                },
            ]
        );
    }

    #[test]
    fn malformed_ranges_are_skipped() {
        for malformed in [
            "",
            "garbage",
            "text/",
            "/plain",
            "*/plain",
            "text/plain;q=2",
            "text/plain;q=0.1234",
            "text/plain;q=1.001",
            "text/plain;q=",
            "text/plain;q=-1",
            "text/plain;charset",
            "text/plain;charset=\"utf-8",
            "text/pl ain",
            "text/plain;a=b c",
            "text/plain;;=x",
        ] {
            assert_eq!(parse(malformed), Vec::new(), "{malformed:?}");
        }
        assert_eq!(parse("garbage, text/plain, ,").len(), 1);
        assert_eq!(parse("text/plain;;charset=utf-8;").len(), 1);
    }

    #[test]
    fn quoted_strings_may_hold_separators() {
        let ranges = parse(r#"text/plain;note="a, b; c=\"d\"", application/json"#);
        assert_eq!(ranges.len(), 2);
        assert_eq!(
            ranges[0].parameters,
            vec![("note".into(), r#"a, b; c="d""#.into())]
        );
    }

    #[test]
    fn weights_read_to_the_thousandth() {
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("0."), Some(0));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.05"), Some(50));
        assert_eq!(qvalue("0.999"), Some(999));
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.5"), None);
        assert_eq!(qvalue(".5"), None);
        assert_eq!(qvalue("0.5a"), None);
    }

    #[test]
    fn the_most_specific_range_gives_the_weight() {
        // `text/plain` is refused even though `*/*` would accept it.
        assert_eq!(Format::from_accept("text/plain;q=0, */*"), Format::Json);
        assert_eq!(
            Format::from_accept("*/*;q=0.1, text/*;q=0.5, application/*;q=0.2"),
            Format::Text
        );
        assert_eq!(
            Format::from_accept("text/plain;charset=utf-8;q=0.9, text/plain;q=0.1"),
            Format::Text
        );
    }

    #[test]
    fn parameters_must_fit_the_format() {
        assert_eq!(
            Format::from_accept("text/plain; charset=UTF-8"),
            Format::Text
        );
        assert_eq!(
            Format::from_accept("text/plain; charset=latin1"),
            Format::Json
        );
        assert_eq!(
            Format::from_accept("text/plain; version=0.0.4"),
            Format::Json
        );
        assert_eq!(
            Format::from_accept("application/health+json; charset=utf-8"),
            Format::HealthJson
        );
    }

    #[test]
    fn equal_weights_prefer_the_contract() {
        assert_eq!(Format::from_accept("*/*"), Format::Json);
        assert_eq!(Format::from_accept("application/*"), Format::Json);
        assert_eq!(
            Format::from_accept("text/plain, application/health+json"),
            Format::HealthJson
        );
        assert_eq!(
            Format::from_accept("text/plain, application/json"),
            Format::Json
        );
    }

    #[test]
    fn nothing_acceptable_falls_back_to_json() {
        for accept in [
            "text/html",
            "application/xml;q=0.1",
            "application/json;q=0",
            "image/*",
            "garbage",
            "",
        ] {
            assert_eq!(Format::from_accept(accept), Format::Json, "{accept:?}");
        }
    }

    #[test]
    fn every_accept_header_counts() {
        let mut headers = HeaderMap::new();
        assert_eq!(Format::from_headers(None), Format::Json);
        assert_eq!(Format::from_headers(Some(&headers)), Format::Json);
        headers.append(header::ACCEPT, "text/html".parse().unwrap());
        headers.append(header::ACCEPT, "text/plain;q=0.5".parse().unwrap());
        assert_eq!(Format::from_headers(Some(&headers)), Format::Text);
        headers.append(
            header::ACCEPT,
            http::HeaderValue::from_bytes(b"application/health+json\xff").unwrap(),
        );
        assert_eq!(Format::from_headers(Some(&headers)), Format::Text);
    }
}
