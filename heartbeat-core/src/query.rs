//! What a probe's query string asks for: checks to leave out, and verbose
//! text.

/// The query parameters a probe reads; others are ignored.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ProbeQuery {
    /// The names of `exclude=` parameters, in order, without repeats.
    pub(crate) exclude: Vec<String>,
    /// Whether `verbose` was given (and not as `verbose=0` or
    /// `verbose=false`).
    pub(crate) verbose: bool,
}

impl ProbeQuery {
    /// Reads a query string (without the `?`) as forms encode it: keys and
    /// values percent-decoded, with `+` read as a space; a `%` not followed
    /// by two hexadecimal digits stands for itself, and bytes that are not
    /// UTF-8 become U+FFFD. Nothing here can fail.
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let mut parsed = Self::default();
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        for (key, value) in pairs {
            match &*key {
                "exclude"
                    if !value.is_empty() && !parsed.exclude.iter().any(|name| *name == value) =>
                {
                    parsed.exclude.push(value.into_owned());
                }
                "verbose" => {
                    parsed.verbose = !(value == "0" || value.eq_ignore_ascii_case("false"));
                }
                _ => {}
            }
        }
        parsed
    }
}

/// Undoes percent-encoding, as in a path: a `%` not followed by two
/// hexadecimal digits stands for itself, and bytes that are not UTF-8
/// become U+FFFD.
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ProbeQuery {
        ProbeQuery::parse(Some(query))
    }

    /// How a query decodes a value.
    fn decode(value: &str) -> String {
        let query = format!("exclude={value}");
        parse(&query).exclude.pop().unwrap_or_default()
    }

    #[test]
    fn exclusions_repeat_and_decode() {
        let query = parse("exclude=database&exclude=a%2Fb&exclude=two+words&ex%63lude=cache");
        assert_eq!(query.exclude, ["database", "a/b", "two words", "cache"]);
        assert!(!query.verbose);
    }

    #[test]
    fn repeats_and_empty_names_are_dropped() {
        let query = parse("exclude=a&exclude=&exclude&exclude=a&&=&exclude=b");
        assert_eq!(query.exclude, ["a", "b"]);
    }

    #[test]
    fn verbose_is_a_flag() {
        assert!(parse("verbose").verbose);
        assert!(parse("verbose=").verbose);
        assert!(parse("verbose=1").verbose);
        assert!(parse("verbose=true&exclude=x").verbose);
        assert!(!parse("verbose=0").verbose);
        assert!(!parse("verbose=FALSE").verbose);
        assert!(!parse("verbosely").verbose);
        assert!(!ProbeQuery::parse(None).verbose);
    }

    #[test]
    fn malformed_escapes_stand_for_themselves() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%41%62"), "Ab");
        assert_eq!(decode("%C3%A9t%C3%A9"), "été");
        assert_eq!(decode("%FF"), "\u{FFFD}");
        assert_eq!(decode("%%41"), "%A");
        assert_eq!(decode("a+b%2B"), "a b+");
        assert_eq!(percent_decode("a+b%20c"), "a+b c");
    }
}
